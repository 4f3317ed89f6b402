from django.apps import AppConfig


class MaracConfig(AppConfig):
    name = "vigil.marac"
    label = "marac"
    verbose_name = "MARAC"
