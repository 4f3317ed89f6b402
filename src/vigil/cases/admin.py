"""Administrators edit the ownership policy: which kind of team owns cases at each risk level, and how
long a handover may wait. One row per risk level, edited, never added or removed; each change is in the
admin's history."""

from django import forms
from django.contrib import admin

from vigil.accounts.models import Team

from .models import OwnershipRule


class OwnershipRuleForm(forms.ModelForm):
    team_kind = forms.ChoiceField(choices=Team.Kind.choices)

    class Meta:
        model = OwnershipRule
        fields = ["team_kind", "accept_within_hours"]


@admin.register(OwnershipRule)
class OwnershipRuleAdmin(admin.ModelAdmin):
    form = OwnershipRuleForm
    list_display = ["risk_level", "team_kind", "accept_within_hours", "updated_at"]
    readonly_fields = ["risk_level"]
    fields = ["risk_level", "team_kind", "accept_within_hours"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
