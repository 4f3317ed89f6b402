from django.contrib import admin
from rest_framework.authtoken.models import TokenProxy

# API tokens for system accounts are made with `vigil api_token` (audited, shown once), never in the admin.
if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)
