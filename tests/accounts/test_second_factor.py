import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.accounts.factories import recovery_codes_for, totp_code, totp_device_create
from tests.factories import user_create

from vigil.accounts.services import RECOVERY_CODE_COUNT

pytestmark = pytest.mark.django_db

HOME = reverse("accounts:home")
SECOND_FACTOR = reverse("accounts:second-factor")
SET_UP = reverse("accounts:second-factor-set-up")


@pytest.fixture
def live_mode(settings):
    settings.DEMO_MODE = False


def _enter_code(client, code: str, *, url: str = SECOND_FACTOR):
    return client.post(url, {"code": code})


# Outside demo mode -----------------------------------------------------------------------------------

def test_outside_demo_mode_a_user_without_a_device_must_set_one_up_first(live_mode, client, sign_in):
    user = user_create()
    sign_in(user.username)
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(SET_UP)
    for path in ("/people/", "/api/v1/", "/admin/", "/no-such-page/"):
        assert client.get(path)["Location"].startswith(SET_UP), path


def test_enrolment_confirms_a_device_and_shows_ten_recovery_codes_once(live_mode, client, sign_in):
    user = user_create()
    sign_in(user.username)
    page = client.get(SET_UP).content.decode()
    assert "<svg" in page and "QR code for your authenticator app" in page
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed

    confirmed = _enter_code(client, totp_code(device), url=SET_UP)
    device.refresh_from_db()
    assert device.confirmed
    codes = re.findall(r"<li>([a-z2-9]{10})</li>", confirmed.content.decode())
    assert len(codes) == RECOVERY_CODE_COUNT == 10
    assert confirmed["Cache-Control"].count("no-store") == 1
    assert client.get(HOME).status_code == 200
    # The codes are never shown again.
    home = client.get(HOME).content.decode()
    assert not any(code in home for code in codes)


def _wrong_code(device) -> str:
    return "000000" if totp_code(device) != "000000" else "111111"


def test_a_wrong_code_at_enrolment_confirms_nothing(live_mode, client, sign_in):
    user = user_create()
    sign_in(user.username)
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=user)
    wrong = _enter_code(client, _wrong_code(device), url=SET_UP)
    assert "The code is not correct" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(HOME)["Location"].startswith(SET_UP)


def test_the_key_alone_cannot_replace_a_device_without_the_second_factor(live_mode, client, sign_in):
    user = user_create()
    totp_device_create(user=user)
    sign_in(user.username)
    response = client.get(SET_UP)
    assert response["Location"] == SECOND_FACTOR
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_with_a_device_the_code_is_needed_and_leads_to_the_page_asked_for(live_mode, client, sign_in):
    user = user_create()
    device = totp_device_create(user=user)
    sign_in(user.username)
    redirected = client.get(HOME)
    assert redirected["Location"] == f"{SECOND_FACTOR}?next=%2F"

    right = client.post(redirected["Location"], {"code": totp_code(device)})
    assert right["Location"] == HOME
    assert client.get(HOME).status_code == 200


def test_a_wrong_code_is_refused_and_then_throttles_the_device(live_mode, client, sign_in):
    user = user_create()
    device = totp_device_create(user=user)
    sign_in(user.username)
    wrong = _enter_code(client, _wrong_code(device))
    assert "The code is not correct" in wrong.content.decode()
    assert client.get(HOME).status_code == 302
    # django-otp makes the next try wait (1 s, then 2 s, 4 s...): even the right code is refused at once.
    assert _enter_code(client, totp_code(device)).status_code == 200
    assert client.get(HOME).status_code == 302


def test_after_the_code_only_a_page_on_this_site_is_followed(live_mode, client, sign_in):
    user = user_create()
    device = totp_device_create(user=user)
    sign_in(user.username)
    response = client.post(f"{SECOND_FACTOR}?next=https://attacker.example/", {"code": totp_code(device)})
    assert response["Location"] == HOME


def test_a_recovery_code_works_once(live_mode, client, sign_in):
    user = user_create()
    totp_device_create(user=user)
    codes = recovery_codes_for(user=user)
    sign_in(user.username)
    assert _enter_code(client, codes[0].upper())["Location"] == HOME
    assert client.get(HOME).status_code == 200
    assert StaticToken.objects.filter(device__user=user).count() == RECOVERY_CODE_COUNT - 1

    client.post(reverse("accounts:sign-out"))
    sign_in(user.username)
    again = _enter_code(client, codes[0])
    assert again.status_code == 200
    assert "The code is not correct" in again.content.decode()
    assert client.get(HOME).status_code == 302


# Demo mode -------------------------------------------------------------------------------------------

def test_in_demo_mode_a_user_without_a_device_goes_straight_in(settings, client, sign_in):
    settings.DEMO_MODE = True
    user = user_create()
    sign_in(user.username)
    page = client.get(HOME)
    assert page.status_code == 200
    assert "Set up<span class=\"govuk-visually-hidden\"> an authenticator app" in page.content.decode()


def test_in_demo_mode_a_device_once_set_up_is_required(settings, client, sign_in):
    settings.DEMO_MODE = True
    user = user_create()
    device = totp_device_create(user=user)
    sign_in(user.username)
    assert client.get(HOME)["Location"].startswith(SECOND_FACTOR)
    _enter_code(client, totp_code(device))
    assert client.get(HOME).status_code == 200


def test_second_factor_pages_need_a_password_first(client):
    for path in (SECOND_FACTOR, SET_UP):
        response = client.get(path)
        assert response["Location"].startswith(reverse("accounts:sign-in")), path


def test_no_navigation_links_until_the_second_factor_is_passed(live_mode, client, sign_in):
    user = user_create()
    device = totp_device_create(user=user)
    sign_in(user.username)
    api_link = f'href="{reverse("api:root")}"'
    page = client.get(SECOND_FACTOR).content.decode()
    assert "Sign out" in page
    assert api_link not in page
    _enter_code(client, totp_code(device))
    assert api_link in client.get(HOME).content.decode()
