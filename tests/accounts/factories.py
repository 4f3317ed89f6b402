"""Factories for second-factor devices. Users, agencies and teams come from tests/factories.py."""

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from vigil.accounts.services import recovery_codes_create


def totp_device_create(*, user, confirmed: bool = True) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=confirmed)


def totp_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the user's app would show now (or `steps_ahead` 30-second steps from now; django-otp
    accepts one step of drift, and refuses a code from a step it has already accepted)."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead)
    return f"{code:0{device.digits}d}"


def recovery_codes_for(*, user) -> list[str]:
    return recovery_codes_create(user=user)
