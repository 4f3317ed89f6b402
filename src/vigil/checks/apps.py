from django.apps import AppConfig


class ChecksConfig(AppConfig):
    name = "vigil.checks"
    verbose_name = "Control room: history, checks and board"
