"""The evaluation app in the admin: its policy, changed by adding a row with a reason (policy.py)."""

from django.contrib import admin
from django.utils import timezone

from .models import EvaluationPolicy
from .policy import POLICY_FIELDS


@admin.register(EvaluationPolicy)
class EvaluationPolicyAdmin(admin.ModelAdmin):
    list_display = ["effective_from", *POLICY_FIELDS, "changed_by", "reason"]
    fields = [*POLICY_FIELDS, "reason"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changeform_initial_data(self, request):
        from .policy import evaluation_policy

        return dict(evaluation_policy().__dict__)

    def save_model(self, request, obj, form, change):
        obj.effective_from = timezone.now()
        obj.changed_by = request.user
        super().save_model(request, obj, form, change)
