"""Sessions end after 30 idle minutes, and their cookies cannot be read by scripts or sent cross-site."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from tests.factories import TEST_PASSWORD, user_create

pytestmark = pytest.mark.django_db


def _signed_in(client):
    user = user_create()
    response = client.post(reverse("accounts:sign-in"), {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return response


def test_each_request_moves_the_idle_deadline_to_thirty_minutes_on(client):
    _signed_in(client)
    client.get(reverse("accounts:home"))
    session = Session.objects.get()
    remaining = session.expire_date - timezone.now()
    assert timedelta(minutes=29) < remaining <= timedelta(minutes=30)


def test_after_thirty_idle_minutes_the_user_must_sign_in_again(client):
    _signed_in(client)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))


def test_session_cookie_is_http_only_same_site_and_secure_when_configured(client, settings):
    settings.SESSION_COOKIE_SECURE = True
    cookie = _signed_in(client).cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert cookie["secure"]
    assert not cookie["max-age"]  # a browser-session cookie; the server ends the session after 30 idle minutes


def test_outside_demo_mode_cookies_are_secure_by_default(monkeypatch):
    import importlib

    import vigil.settings as vigil_settings

    monkeypatch.setenv("VIGIL_DEMO_MODE", "0")
    monkeypatch.setenv("VIGIL_SECRET_KEY", "test-only-not-a-real-key-" + "x" * 30)
    monkeypatch.delenv("VIGIL_SECURE_COOKIES", raising=False)
    try:
        reloaded = importlib.reload(vigil_settings)
        assert reloaded.SESSION_COOKIE_SECURE and reloaded.CSRF_COOKIE_SECURE
        assert reloaded.SESSION_COOKIE_AGE == 30 * 60
    finally:
        monkeypatch.undo()
        importlib.reload(vigil_settings)
