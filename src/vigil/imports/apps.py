from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "vigil.imports"
    label = "imports"
    verbose_name = "Imports"
