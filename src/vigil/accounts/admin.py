from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Agency, Team, User


@admin.register(User)
class VigilUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "agency", "is_active"]
    list_filter = ["role", "agency", "is_active"]
    fieldsets = UserAdmin.fieldsets + (("Vigil", {"fields": ["role", "agency", "teams"]}),)
    add_fieldsets = UserAdmin.add_fieldsets + (("Vigil", {"fields": ["role", "agency"]}),)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "code"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "agency", "area"]
    list_filter = ["kind", "agency"]
