import logging

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from tests.factories import TEST_PASSWORD, user_create

pytestmark = pytest.mark.django_db


def test_sign_in_with_the_right_password_lands_on_home(client, sign_in):
    user = user_create()
    response = sign_in(user.username)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home")
    home = client.get(response["Location"])
    assert home.status_code == 200
    assert home.wsgi_request.user == user


def test_wrong_password_shows_an_error_summary_and_signs_nobody_in(client, sign_in):
    user = user_create()
    response = sign_in(user.username, "not-the-password")
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert 'href="#id_username">Enter a correct username and password. Both are case-sensitive.</a>' in page
    assert "<title>Error: Sign in" in page
    assert not response.wsgi_request.user.is_authenticated


def test_empty_form_says_which_fields_are_missing(sign_in):
    response = sign_in("", "")
    page = response.content.decode()
    assert 'href="#id_username">Enter your username</a>' in page
    assert 'href="#id_password">Enter your password</a>' in page
    assert "govuk-input--error" in page


def test_password_is_never_written_back_into_the_page(sign_in):
    user = user_create()
    response = sign_in(user.username, "typed-secret-password")
    assert "typed-secret-password" not in response.content.decode()


def test_five_failures_lock_the_account_and_the_right_password_is_then_refused(client, sign_in):
    user = user_create()
    for _ in range(4):
        assert sign_in(user.username, "wrong-password").status_code == 200
    fifth = sign_in(user.username, "wrong-password")
    assert fifth.status_code == 429
    sixth = sign_in(user.username, TEST_PASSWORD)
    page = sixth.content.decode()
    assert sixth.status_code == 429
    assert "Your account is locked for 30 minutes" in page
    assert "even with the right password" in page
    assert user.username not in page
    assert not client.get(reverse("accounts:home")).wsgi_request.user.is_authenticated


def test_lockout_is_per_username(sign_in):
    locked, other = user_create(), user_create()
    for _ in range(5):
        sign_in(locked.username, "wrong-password")
    assert sign_in(other.username).status_code == 302


def test_failed_sign_ins_and_lockout_log_no_username_or_password(sign_in, caplog):
    user = user_create(username="distinctive.officer.name")
    with caplog.at_level(logging.DEBUG):
        for _ in range(6):
            sign_in(user.username, "Distinctive-Wrong-Password")
    assert caplog.records, "expected django-axes to log the failures"
    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    assert "distinctive.officer.name" not in logged
    assert "Distinctive-Wrong-Password" not in logged


def test_sign_out_is_a_post(client, sign_in):
    user = user_create()
    sign_in(user.username)
    assert client.get(reverse("accounts:sign-out")).status_code == 405
    response = client.post(reverse("accounts:sign-out"))
    assert response["Location"] == reverse("accounts:sign-in")
    assert not client.get(reverse("accounts:home")).wsgi_request.user.is_authenticated


def test_home_needs_sign_in(client):
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))


def test_the_lockout_record_keeps_no_password(sign_in):
    user = user_create()
    sign_in(user.username, "Distinctive-Wrong-Password")
    attempt = AccessAttempt.objects.get(username=user.username)
    assert "Distinctive-Wrong-Password" not in attempt.post_data + attempt.get_data
