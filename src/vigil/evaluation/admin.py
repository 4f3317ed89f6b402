"""The evaluation app in the admin: its policy, changed by adding a row with a reason (policy.py)."""

from django.contrib import admin

from vigil.admin_site import PolicyRowsAdmin

from .models import EvaluationPolicy
from .policy import POLICY_FIELDS, evaluation_policy


@admin.register(EvaluationPolicy)
class EvaluationPolicyAdmin(PolicyRowsAdmin):
    list_display = ["effective_from", *POLICY_FIELDS, "changed_by", "reason"]
    fields = [*POLICY_FIELDS, "reason"]
    policy_in_force = staticmethod(evaluation_policy)
