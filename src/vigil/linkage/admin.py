"""The linkage app in the admin. Each section belongs to one area of the app."""

from django.contrib import admin
from django.utils import timezone

from .models import ListPolicy

# --- Repeat victims, serial perpetrators and counter-allegations: the list policy ------------------------


@admin.register(ListPolicy)
class ListPolicyAdmin(admin.ModelAdmin):
    """Administrators change the lists' policy by adding a row with a reason; rows are never edited or
    deleted, so the table is the policy's history and the latest row is in force (`list_policy.py`)."""

    list_display = ["effective_from", "repeat_window_days", "repeat_min_incidents", "commander_threshold",
                    "repeat_team_threshold", "plan_review_days", "serial_window_years", "serial_min_victims",
                    "counter_allegation_window_years", "changed_by", "reason"]
    fields = ["repeat_window_days", "repeat_min_incidents", "commander_threshold", "repeat_team_threshold",
              "plan_review_days", "serial_window_years", "serial_min_victims", "counter_allegation_window_years",
              "reason"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changeform_initial_data(self, request):
        from .list_policy import list_policy

        return dict(list_policy().__dict__)

    def save_model(self, request, obj, form, change):
        obj.effective_from = timezone.now()
        obj.changed_by = request.user
        super().save_model(request, obj, form, change)
