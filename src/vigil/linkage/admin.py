"""The linkage app in the admin. Each section belongs to one area of the app."""

from django.contrib import admin

from vigil.admin_site import PolicyRowsAdmin

from .list_policy import list_policy
from .models import ListPolicy

# --- Repeat victims, serial perpetrators and counter-allegations: the list policy ------------------------


@admin.register(ListPolicy)
class ListPolicyAdmin(PolicyRowsAdmin):
    """The lists' policy (`list_policy.py`): a change is a new row with a reason."""

    list_display = ["effective_from", "repeat_window_days", "repeat_min_incidents", "commander_threshold",
                    "repeat_team_threshold", "plan_review_days", "serial_window_years", "serial_min_victims",
                    "counter_allegation_window_years", "changed_by", "reason"]
    fields = ["repeat_window_days", "repeat_min_incidents", "commander_threshold", "repeat_team_threshold",
              "plan_review_days", "serial_window_years", "serial_min_victims", "counter_allegation_window_years",
              "reason"]
    policy_in_force = staticmethod(list_policy)
