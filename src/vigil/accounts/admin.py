from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Agency, Team, User

# Vigil grants access by role, not by Django groups.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


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


# Second-factor devices. django-otp's own admin shows a device's key and QR code to the administrator,
# which would let them copy someone's second factor. Here an administrator can only see who has a
# device and remove it (a lost phone): the user then sets up a new one at their next sign-in.
for otp_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(otp_model):
        admin.site.unregister(otp_model)


class SecondFactorDeviceAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "confirmed"]
    list_filter = ["confirmed"]
    search_fields = ["user__username"]
    fields = ["user", "name", "confirmed"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(TOTPDevice, SecondFactorDeviceAdmin)
admin.site.register(StaticDevice, SecondFactorDeviceAdmin)
