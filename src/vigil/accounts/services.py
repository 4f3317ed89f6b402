"""Changes to a user's second factor: enrolment of an authenticator app, recovery codes, verification.

Recovery codes are shown once, when made; django-otp keeps them to compare against and deletes
each one as it is used.
"""

import secrets

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from vigil.audit.services import audit_record

AUTHENTICATOR_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10


def totp_device_start(*, user) -> TOTPDevice:
    """The user's unconfirmed authenticator device, made if they have none yet."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, code: str, request=None) -> list[str] | None:
    """Confirm the device if `code` is current, replacing any earlier devices. Returns the new recovery
    codes (to show once), or None if the code is wrong."""
    if device.confirmed or not device.verify_token(code.strip()):
        return None
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_create(user=device.user)
    audit_record(action="sign_in_security", actor=device.user, obj=device.user,
                 detail={"change": "authenticator_confirmed", "recovery_codes_issued": len(codes)}, request=request)
    return codes


@transaction.atomic
def recovery_codes_create(*, user) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODE_COUNT new ones, and return them."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME,
                                                  defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def _recovery_code() -> str:
    # 10 characters from an alphabet with no look-alikes (no 0/o, 1/l/i), about 50 bits each.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


@transaction.atomic
def second_factor_verify(*, user, code: str, request=None) -> TOTPDevice | StaticDevice | None:
    """The confirmed device that accepts `code`, or None. Six digits are checked against the user's
    authenticator app; anything else against their unused recovery codes (a match spends the code).
    django-otp throttles each device after repeated failures."""
    code = code.replace(" ", "").replace("-", "").strip().lower()
    device_model = TOTPDevice if (code.isdigit() and len(code) == 6) else StaticDevice
    accepted = None
    if code:
        for device in device_model.objects.devices_for_user(user, confirmed=True).select_for_update():
            if device.verify_token(code):
                accepted = device
                break
    kind = "authenticator" if device_model is TOTPDevice else "recovery_code"
    audit_record(action="sign_in" if accepted else "sign_in_failed", actor=user, obj=user,
                 detail={"step": "second_factor", "method": kind}, request=request)
    return accepted
