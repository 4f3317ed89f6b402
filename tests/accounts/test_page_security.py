"""Headers and markup that every page must carry: a strict CSP and nothing inline for it to allow."""

import re

import pytest
from django.urls import reverse
from tests.accounts.factories import totp_code, totp_device_create
from tests.factories import user_create

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style[\s>]|\sstyle=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


@pytest.fixture
def rendered_pages(client, settings, sign_in):
    """Every page of the sign-in journey, as (name, response), outside demo mode."""
    settings.DEMO_MODE = False
    pages = [("sign in", client.get(reverse("accounts:sign-in"))),
             ("sign in with errors", sign_in("", ""))]

    newcomer = user_create()
    sign_in(newcomer.username)
    pages.append(("set up", client.get(reverse("accounts:second-factor-set-up"))))
    device = newcomer.totpdevice_set.get()
    pages.append(("recovery codes", client.post(reverse("accounts:second-factor-set-up"),
                                                {"code": totp_code(device)})))
    pages.append(("home", client.get(reverse("accounts:home"))))
    client.post(reverse("accounts:sign-out"))

    returning = user_create()
    totp_device_create(user=returning)
    sign_in(returning.username)
    pages.append(("second factor", client.get(reverse("accounts:second-factor"))))
    client.post(reverse("accounts:sign-out"))

    locked = user_create()
    for _ in range(5):
        response = sign_in(locked.username, "wrong-password")
    pages.append(("locked out", response))
    for name, response in pages:
        assert response.status_code in (200, 429), name
    return pages


def test_content_security_policy_is_strict(rendered_pages):
    for name, response in rendered_pages:
        policy = response["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        assert directives["default-src"] == "'self'", name
        assert directives["script-src"] == "'self'", name
        assert directives["style-src"] == "'self'", name
        assert directives["img-src"] == "'self' data:", name
        assert directives["font-src"] == "'self'", name
        assert directives["frame-ancestors"] == "'none'", name
        assert directives["form-action"] == "'self'", name
        assert directives["base-uri"] == "'none'", name
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, name


def test_security_headers(rendered_pages):
    for name, response in rendered_pages:
        assert response["X-Frame-Options"] == "DENY", name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["Referrer-Policy"] == "same-origin", name


def test_no_inline_script_style_or_event_handler_on_any_page(rendered_pages):
    for name, response in rendered_pages:
        page = response.content.decode()
        assert not INLINE_SCRIPT.search(page), name
        assert not INLINE_STYLE.search(page), name
        assert not EVENT_HANDLER.search(page), name
        assert '<script type="module" src="/static/vigil/init.js"></script>' in page, name


def test_no_template_syntax_leaks_into_any_page(rendered_pages):
    for name, response in rendered_pages:
        page = response.content.decode()
        assert "{#" not in page and "{%" not in page and "{{" not in page, name


def test_govuk_frontend_is_served_from_this_site(client):
    for path in ("/static/govuk/govuk-frontend.min.css", "/static/govuk/govuk-frontend.min.js",
                 "/static/vigil/init.js", "/static/govuk/assets/fonts/bold-b542beb274-v2.woff2"):
        response = client.get(path)
        assert response.status_code == 200, path
        response.close()
