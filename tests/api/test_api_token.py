"""`vigil api_token`: tokens only for command-and-control system accounts, shown once, audited."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import user_create
from vigil.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def issue(username: str, *args) -> str:
    out = StringIO()
    call_command("api_token", "--username", username, *args, stdout=out)
    return out.getvalue()


def test_a_system_account_gets_a_token_printed_once_on_the_last_line():
    system = user_create(role="control_system", username="cad-system")

    output = issue("cad-system")

    key = output.strip().split()[-1]
    assert Token.objects.get(user=system).key == key
    assert "shown only this once" in output


def test_the_printed_token_signs_in_to_the_api():
    user_create(role="control_system", username="cad-system")
    key = issue("cad-system").strip().split()[-1]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    assert api.get("/api/v1/history/", {"phone": "07700 900555"}).status_code == 200


def test_issuing_a_token_is_audited_without_the_token():
    system = user_create(role="control_system", username="cad-system")

    key = issue("cad-system").strip().split()[-1]

    event = AuditEvent.objects.get(action="sign_in_security")
    assert event.object_type == "accounts.User" and event.object_id == str(system.public_id)
    assert event.detail["change"] == "api token created"
    assert key not in json.dumps(event.detail) and key not in event.object_id


def test_an_existing_token_is_never_shown_again_only_rotated():
    system = user_create(role="control_system", username="cad-system")
    first = issue("cad-system").strip().split()[-1]

    with pytest.raises(CommandError, match="--rotate"):
        issue("cad-system")
    assert Token.objects.get(user=system).key == first

    second = issue("cad-system", "--rotate").strip().split()[-1]

    assert second != first
    assert list(Token.objects.filter(user=system).values_list("key", flat=True)) == [second]
    assert [e.detail["change"] for e in AuditEvent.objects.filter(action="sign_in_security").order_by("sequence")] \
        == ["api token created", "api token rotated"]
    old = APIClient()
    old.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert old.get("/api/v1/history/", {"phone": "07700 900555"}).status_code == 401


@pytest.mark.parametrize("role", ["call_taker", "administrator", "control_room_supervisor", "analyst"])
def test_people_never_get_a_token(role):
    user_create(role=role, username="a-person")

    with pytest.raises(CommandError, match="control_system"):
        issue("a-person")

    assert not Token.objects.exists()
    assert not AuditEvent.objects.filter(action="sign_in_security").exists()


def test_an_unknown_or_inactive_account_is_refused():
    with pytest.raises(CommandError, match="No user"):
        issue("nobody")
    system = user_create(role="control_system", username="cad-old")
    system.is_active = False
    system.save()
    with pytest.raises(CommandError, match="not active"):
        issue("cad-old")
    assert not Token.objects.exists()
