from django.contrib.admin.apps import AdminConfig


class VigilAdminConfig(AdminConfig):
    """Django's admin with Vigil's site: administrators only."""

    default_site = "vigil.admin_site.VigilAdminSite"
