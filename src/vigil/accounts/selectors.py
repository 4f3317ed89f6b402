"""Reads about users and their sign-in state."""

from base64 import b32encode
from enum import StrEnum

import segno
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice


class SecondFactorStep(StrEnum):
    """What a signed-in user must still do before Vigil shows them any page."""

    NONE = "none"  # verified, or not required (demo mode, no device)
    VERIFY = "verify"  # has a confirmed device: enter a code from it, or a recovery code
    ENROL = "enrol"  # outside demo mode, has no device: set up an authenticator app first


def second_factor_step(*, user, is_verified: bool, demo_mode: bool) -> SecondFactorStep:
    if is_verified:
        return SecondFactorStep.NONE
    if user_has_second_factor(user=user):
        return SecondFactorStep.VERIFY
    return SecondFactorStep.NONE if demo_mode else SecondFactorStep.ENROL


def user_has_second_factor(*, user) -> bool:
    return user_has_device(user, confirmed=True)


def totp_device_secret(*, device: TOTPDevice) -> str:
    """The key in the base32 form an authenticator app accepts when typed in, in groups of four."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def totp_device_qr_svg(*, device: TOTPDevice) -> str:
    """The device's otpauth:// address as a QR code, an inline SVG made on the server."""
    qr = segno.make(device.config_url, error="m")
    return qr.svg_inline(scale=5, dark="#0b0c0c", light="#ffffff", title="QR code for your authenticator app")
