"""The Django admin, for administrators only, signed in through Vigil's own sign-in and second factor."""

from functools import update_wrapper

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils import timezone


class VigilAdminSite(admin.AdminSite):
    site_header = "Vigil administration"
    site_title = "Vigil administration"
    index_title = "Reference data, users and teams"

    def has_permission(self, request):
        return request.user.has_perm("accounts.use_admin")

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def guarded(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return update_wrapper(guarded, inner)

    def login(self, request, extra_context=None):
        """Everyone signs in through Vigil's sign-in, with its lockout and second factor."""
        if self.has_permission(request):
            return redirect("admin:index")
        if request.user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(request.GET.get("next", "/admin/"))


class PolicyRowsAdmin(admin.ModelAdmin):
    """A policy kept as rows (linkage.ListPolicy, evaluation.EvaluationPolicy): administrators change it by
    adding a row with a reason; rows are never edited or deleted, so the table is the policy's history and
    the latest row is in force. Subclasses name the fields and `policy_in_force`, which gives the values
    the add form starts from."""

    policy_in_force = None  # staticmethod(a function of no arguments giving a dataclass of the values in force)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changeform_initial_data(self, request):
        return dict(self.policy_in_force().__dict__)

    def save_model(self, request, obj, form, change):
        obj.effective_from = timezone.now()
        obj.changed_by = request.user
        super().save_model(request, obj, form, change)
