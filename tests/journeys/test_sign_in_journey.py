import os

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.factories import totp_code, totp_device_create
from tests.factories import TEST_PASSWORD, team_create, user_create
from tests.journeys.pages import (
    AuthenticatorSetUpPage,
    HomePage,
    RecoveryCodesPage,
    SecondFactorPage,
    SignInPage,
)
from vigil.accounts.roles import ROLE_BY_CODE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT_DIR = os.environ.get("VIGIL_SCREENSHOT_DIR", "/tmp")


def test_a_user_with_an_authenticator_app_signs_in_to_their_home_page(page):
    user = user_create(role="specialist_investigator", teams=[team_create()])
    device = totp_device_create(user=user)

    sign_in = SignInPage(page).open()
    assert sign_in.heading == "Sign in to Vigil"
    assert "Synthetic data" in sign_in.banner
    assert sign_in.govuk_frontend_started()
    assert sign_in.accessibility_violations() == []

    sign_in.sign_in(user.username, TEST_PASSWORD)
    second_factor = SecondFactorPage(page)
    assert second_factor.is_current()
    assert second_factor.heading == "Enter your security code"
    assert second_factor.accessibility_violations() == []

    second_factor.enter_code(totp_code(device))
    home = HomePage(page)
    role = ROLE_BY_CODE["specialist_investigator"]
    assert home.heading == "What you do in Vigil"
    assert home.role_caption == role.name
    assert home.purpose == role.purpose
    assert "Sign out" in home.navigation_labels()
    assert home.accessibility_violations() == []
    home.screenshot(os.path.join(SCREENSHOT_DIR, "vigil-home.png"))

    assert page.csp_violations == []
    home.sign_out()
    assert SignInPage(page).heading == "Sign in to Vigil"


def test_a_wrong_password_is_explained_accessibly(page):
    user = user_create()
    sign_in = SignInPage(page).open()
    sign_in.sign_in(user.username, "not-the-password")
    assert "Enter a correct username and password" in sign_in.error_summary
    assert sign_in.accessibility_violations() == []
    assert page.csp_violations == []


def test_outside_demo_mode_a_new_user_sets_up_an_authenticator_app_first(page, settings):
    settings.DEMO_MODE = False
    user = user_create(role="call_taker")

    SignInPage(page).open().sign_in(user.username, TEST_PASSWORD)
    set_up = AuthenticatorSetUpPage(page)
    assert set_up.is_current()
    assert set_up.has_qr_code
    assert set_up.accessibility_violations() == []

    set_up.confirm_code(totp_code(TOTPDevice.objects.get(user=user)))
    recovery = RecoveryCodesPage(page)
    assert len(recovery.codes()) == 10
    assert recovery.accessibility_violations() == []

    recovery.continue_()
    assert HomePage(page).role_caption == "Call taker"
    assert page.csp_violations == []
