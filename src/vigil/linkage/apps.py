from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "vigil.linkage"
    label = "linkage"
    verbose_name = "Linkage"
