"""Imports outside a transaction, as the command and the worker run them. On PostgreSQL each batch is then
committed by a second connection while the next is read (services.PipelinedCommit); these tests hold it to
the plain path's result: the same records, the same people joined, nothing doubled across batches, and a
failure in the writing thread leaves a run that resumes to the same result."""

import pytest
from django.db import connection

from tests.factories import area_create
from vigil.imports import services
from vigil.imports.models import ImportRun, QuarantinedRow
from vigil.incidents.models import Incident, Involvement
from vigil.people.models import Person, PersonRecord, Phone, Relationship

from .helpers import csv_bytes, incident, person, run_import

pytestmark = pytest.mark.django_db(transaction=True)


def _persons_file() -> bytes:
    rows = []
    for n in range(1, 31):
        # Every third person is written again later in the file under another identifier (as by another unit):
        # the two records must be one person even when the first is in a batch not yet committed.
        twin = {"given_name": f"Given{n - 15}", "family_name": f"Example{n - 15}",
                "date_of_birth": person(n - 15)["date_of_birth"]} if n > 15 and n % 3 == 0 else {}
        rows.append(person(n, **twin))
    rows.append(person(31, sex="X"))
    return csv_bytes("persons", rows)


def _incidents_file(system: str) -> bytes:
    rows = [incident(n, reference=f"{system}-{n}", victim_person_id=f"NOM-{1 + n % 10:04d}",
                     suspect_person_id=f"NOM-{11 + n % 5:04d}", relationship="current_partner", area_code="city")
            for n in range(1, 41)]
    rows.append(incident(41, reference=f"{system}-3", victim_person_id="NOM-0001"))  # a reference already taken
    return csv_bytes("incidents", rows)


def _snapshot(system: str):
    records = PersonRecord.objects.filter(source_system=system)
    return {
        "records": sorted(records.values_list("source_ref", "given_name", "family_name", "date_of_birth")),
        "persons": len({r.person_id for r in records}),
        "incidents": sorted((ref, reference.removeprefix(system)) for ref, reference in
                            Incident.objects.filter(source_system=system).values_list("source_ref", "reference")),
        "involvements": sorted(Involvement.objects.filter(incident__source_system=system)
                               .values_list("incident__source_ref", "person_record__source_ref", "role")),
        "relationships": Relationship.objects.filter(victim__source_system=system).count(),
        "quarantine": sorted(QuarantinedRow.objects.filter(run__source_system=system)
                             .values_list("run__kind", "row_number")),
    }


def test_an_import_outside_a_transaction_gives_the_plain_result(monkeypatch):
    area_create(code="city")
    monkeypatch.setattr(services, "BATCH_ROWS", 7)
    persons = run_import("persons", _persons_file(), system="a")
    incidents = run_import("incidents", _incidents_file("a"), system="a")
    assert (persons.status, persons.created, persons.quarantined) == ("finished", 30, 1)
    assert (incidents.created, incidents.quarantined) == (40, 1)
    snapshot = _snapshot("a")
    assert snapshot["persons"] == 25  # five people written twice
    assert len(snapshot["involvements"]) == 80 and snapshot["relationships"] == 10  # ten victim–suspect pairs
    again = run_import("incidents", _incidents_file("a"), system="a")
    assert (again.created, again.unchanged, again.quarantined) == (0, 40, 1)
    assert {**_snapshot("a"), "quarantine": None} == {**snapshot, "quarantine": None}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the writing thread runs on PostgreSQL only")
def test_a_failure_in_the_writing_thread_leaves_a_run_that_resumes_to_the_same_result(monkeypatch):
    area_create(code="city")
    monkeypatch.setattr(services, "BATCH_ROWS", 7)
    run_import("persons", _persons_file(), system="whole")
    run_import("incidents", _incidents_file("whole"), system="whole")
    run_import("persons", _persons_file(), system="stopped")

    real_commit, calls = services.PipelinedCommit._commit, {"n": 0}

    def failing_on_the_third(self, *args):
        calls["n"] += 1
        if calls["n"] == 3:
            raise ConnectionError("the database went away")
        return real_commit(self, *args)

    monkeypatch.setattr(services.PipelinedCommit, "_commit", failing_on_the_third)
    with pytest.raises(services.ImportInterrupted, match="ConnectionError"):
        run_import("incidents", _incidents_file("stopped"), system="stopped")
    run = ImportRun.objects.get(source_system="stopped", kind="incidents")
    assert run.status == "interrupted" and run.rows_committed == 14
    assert Incident.objects.filter(source_system="stopped").count() == 14

    monkeypatch.setattr(services.PipelinedCommit, "_commit", real_commit)
    resumed = run_import("incidents", _incidents_file("stopped"), system="stopped")
    assert resumed.pk == run.pk and resumed.status == "finished"
    assert (resumed.created, resumed.quarantined) == (40, 1)
    whole, stopped = _snapshot("whole"), _snapshot("stopped")
    assert {k: v for k, v in whole.items() if k != "quarantine"} == \
        {k: v for k, v in stopped.items() if k != "quarantine"}
    assert Phone.objects.count() == 0 and Person.objects.exists()
