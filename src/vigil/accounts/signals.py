"""Sign-in events written to the audit log. No username or password is ever stored: the account is
named by its opaque public id."""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from vigil.audit.services import audit_record


def _account(username: str | None):
    if not username:
        return None
    return get_user_model().objects.filter(username=username).first()


@receiver(user_logged_in)
def sign_in_recorded(sender, request, user, **kwargs):
    audit_record(action="sign_in", actor=user, obj=user, detail={"step": "password"}, request=request)


@receiver(user_login_failed)
def failed_sign_in_recorded(sender, credentials, request=None, **kwargs):
    account = _account(credentials.get("username"))
    audit_record(action="sign_in_failed", actor=None, obj=account, object_type="accounts.User",
                 detail={"step": "password", "known_account": account is not None}, request=request)


@receiver(user_locked_out)
def lockout_recorded(sender, request, username=None, **kwargs):
    account = _account(username)
    audit_record(action="lockout", actor=None, obj=account, object_type="accounts.User",
                 detail={"known_account": account is not None}, request=request)
