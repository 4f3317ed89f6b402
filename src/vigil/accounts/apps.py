from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vigil.accounts"
    label = "accounts"
    verbose_name = "Users, agencies and teams"

    def ready(self):
        from . import signals  # noqa: F401  (connects the sign-in audit receivers)
