"""Sign-in, failures, lockout and second-factor changes are audited, without usernames or passwords."""

import pytest
from tests.accounts.factories import totp_code, totp_device_create
from tests.factories import TEST_PASSWORD, user_create

from vigil.accounts.services import second_factor_verify, totp_device_confirm, totp_device_start
from vigil.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_sign_in_is_audited_against_the_account(sign_in):
    user = user_create()
    sign_in(user.username, TEST_PASSWORD)
    event = AuditEvent.objects.get(action="sign_in")
    assert event.actor == user and event.object_id == str(user.public_id)


def test_failures_and_the_lockout_are_audited_with_no_username_or_password(sign_in):
    user = user_create(username="target-account")
    for _ in range(5):
        sign_in(user.username, "guess-password")
    failures = AuditEvent.objects.filter(action="sign_in_failed")
    assert failures.count() == 5
    assert all(e.object_id == str(user.public_id) for e in failures)
    assert AuditEvent.objects.filter(action="lockout", object_id=str(user.public_id)).exists()
    for event in AuditEvent.objects.all():
        text = f"{event.detail} {event.reason} {event.object_id} {event.user_agent}"
        assert "target-account" not in text and "guess-password" not in text


def test_second_factor_passes_failures_and_enrolment_are_audited():
    user = user_create()
    device = totp_device_create(user=user)
    good = totp_code(device)
    assert second_factor_verify(user=user, code=good) is not None
    assert second_factor_verify(user=user, code="000000" if good != "000000" else "111111") is None
    steps = list(AuditEvent.objects.filter(actor=user).order_by("sequence").values_list("action", "detail"))
    assert [a for a, _ in steps] == ["sign_in", "sign_in_failed"]
    assert all(d["step"] == "second_factor" for _, d in steps)

    newcomer = user_create()
    pending = totp_device_start(user=newcomer)
    assert totp_device_confirm(device=pending, code=totp_code(pending))
    assert AuditEvent.objects.filter(actor=newcomer, action="sign_in_security").exists()
