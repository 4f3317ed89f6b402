import pytest
from django.db import DatabaseError, connection, transaction

from vigil.audit.models import AppendOnlyError, AuditEvent
from vigil.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return audit_record(action="consultation", reason="Attending a call")


def test_the_application_refuses_to_change_an_event(event):
    event.reason = "Something else"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="Something else")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([event], ["reason"])
    assert AuditEvent.objects.get().reason == "Attending a call"


def test_the_application_refuses_to_delete_an_event(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == 1


def test_events_can_only_be_written_through_audit_record():
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.create(action="consultation", sequence=1, previous_hash="0" * 64)
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_create([AuditEvent(action="consultation")])


def test_a_user_with_audit_events_cannot_be_deleted(user_with_role):
    from django.db.models import ProtectedError

    user = user_with_role(role="call_taker")
    audit_record(action="sign_in", actor=user)
    with pytest.raises(ProtectedError):
        user.delete()


def _raw(sql: str, params=()) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_database_refuses_a_raw_update(event):
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE audit_auditevent SET reason = %s", ["Something else"])
    assert AuditEvent.objects.get().reason == "Attending a call"


def test_the_database_refuses_a_raw_delete(event):
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no TRUNCATE")
def test_postgresql_refuses_truncate(event):
    _raw("SET CONSTRAINTS ALL IMMEDIATE")  # else the deferred foreign-key check refuses TRUNCATE first
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.count() == 1
