"""Model permissions for the Django admin, from the user's role rather than per-user grants.

Administrators manage reference data and accounts in the admin. They are never superusers: a
superuser holds every permission, which would also open every person's record. This backend grants
the admin's model permissions for the listed apps only.
"""

ADMIN_MANAGED_APPS = frozenset({"accounts", "incidents", "checks", "risk", "cases", "linkage", "marac", "evaluation", "django_tasks_database", "axes", "otp_totp", "otp_static"})
ADMIN_MANAGED_MODELS = frozenset({
    "accounts.user", "accounts.agency", "accounts.team", "incidents.area",
    "checks.guidancetopic", "checks.guidancerevision", "checks.checkrule", "risk.instrument",
    "cases.ownershiprule", "django_tasks_database.dbtaskresult",
    "linkage.listpolicy", "marac.maracarea", "evaluation.evaluationpolicy",
    "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog",
    "otp_totp.totpdevice", "otp_static.staticdevice",
})
_ACTIONS = ("view", "add", "change", "delete")


class AdministratorBackend:
    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user, perm: str, obj=None) -> bool:
        if not (user.is_active and user.is_authenticated and getattr(user, "role", None) == "administrator"):
            return False
        app_label, _, codename = perm.partition(".")
        action, _, model = codename.partition("_")
        return action in _ACTIONS and f"{app_label}.{model}" in ADMIN_MANAGED_MODELS

    def has_module_perms(self, user, app_label: str) -> bool:
        return bool(user.is_active and getattr(user, "role", None) == "administrator"
                    and app_label in ADMIN_MANAGED_APPS)
