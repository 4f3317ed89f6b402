"""The audit chain catches changes made behind the application's back."""

import io
import threading

import pytest
from django.core.management import call_command
from django.db import close_old_connections, connection

from vigil.audit.append_only import triggers_suspended
from vigil.audit.chain import event_hash, sealed_fields_of
from vigil.audit.models import AuditEvent
from vigil.audit.services import audit_record, audit_verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_events(user_with_role):
    officer = user_with_role(role="response_officer")
    return [audit_record(action="consultation", actor=officer, reason=f"Call {n}") for n in range(1, 6)]


def behind_the_applications_back(sql: str, params=()) -> None:
    """Change the table as someone with database access could: past the triggers (PostgreSQL: as the
    superuser with session_replication_role = replica; SQLite: with the triggers dropped)."""
    with triggers_suspended(connection), connection.cursor() as cursor:
        cursor.execute(sql, params)


def verify_command() -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def test_an_intact_chain_verifies(five_events):
    assert verify_command() == (0, "Audit chain intact: 5 events\n")


def test_a_changed_event_is_named_and_the_command_fails(five_events):
    behind_the_applications_back("UPDATE audit_auditevent SET reason = %s WHERE sequence = 3", ["Curiosity"])
    code, output = verify_command()
    assert code == 1
    assert "Audit chain broken at event #3: hash mismatch" in output


def test_a_forger_who_rehashes_the_changed_event_is_caught_at_the_next_one(five_events):
    forged = AuditEvent.objects.get(sequence=3)
    forged.reason = "Curiosity"
    behind_the_applications_back("UPDATE audit_auditevent SET reason = %s, hash = %s WHERE sequence = 3",
                                 [forged.reason, event_hash(sealed_fields_of(forged))])
    result = audit_verify()
    assert (result.intact, result.broken_at, result.events_checked) == (False, 4, 3)
    assert result.problem.startswith("previous-hash mismatch")


def test_a_removed_event_shows_as_a_gap(five_events):
    behind_the_applications_back("DELETE FROM audit_auditevent WHERE sequence = 2")
    code, output = verify_command()
    assert code == 1
    assert "Audit chain broken at event #3: gap in sequence: event #2 is missing" in output


def test_the_triggers_are_back_after_a_tamper(five_events):
    behind_the_applications_back("UPDATE audit_auditevent SET reason = %s WHERE sequence = 1", ["x"])
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="needs concurrent writers; SQLite's in-memory test database has one writer at a time")
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_do_not_fork_the_chain():
    writers, per_writer = 4, 25
    start = threading.Barrier(writers)
    failures = []

    def write(n):
        try:
            start.wait()
            for i in range(per_writer):
                audit_record(action="consultation", detail={"writer": n, "i": i})
        except Exception as error:  # reported by the assertion below
            failures.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert list(AuditEvent.objects.values_list("sequence", flat=True)) == list(range(1, writers * per_writer + 1))
    assert audit_verify().intact
