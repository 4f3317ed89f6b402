"""Default deny: every view names the permission (a `rules` predicate) that allows it.

- Function views use `@requires("app.perm")`, or `@public` for the few pages anyone may open.
- Class-based views use `RequiresPermission` with `permission_required = "app.perm"`.
- API views use `ApiPermission` with `required_permission = "app.perm"` on the view.

`declared_permission()` reads the declaration back, so a test can walk every URL and fail the build
for a view that declares nothing.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission
from rules.contrib.views import PermissionRequiredMixin

PUBLIC = "public"


def requires(permission: str):
    def decorate(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perm(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        guarded.vigil_permission = permission
        return guarded

    return decorate


def public(view):
    view.vigil_permission = PUBLIC
    return view


class RequiresPermission(PermissionRequiredMixin):
    """Anonymous users are sent to sign in; signed-in users without the permission get 403."""

    raise_exception = False


class ApiPermission(BasePermission):
    def has_permission(self, request, view):
        permission = getattr(view, "required_permission", None)
        return bool(permission) and request.user.is_authenticated and request.user.has_perm(permission)


def declared_permission(callback) -> str | None:
    """The permission a resolved URL callback declares, or None if it declares none."""
    for holder in (callback, getattr(callback, "view_class", None), getattr(callback, "cls", None)):
        if holder is None:
            continue
        for attribute in ("vigil_permission", "permission_required", "required_permission"):
            value = getattr(holder, attribute, None)
            if isinstance(value, str) and value:
                return value
    return None
