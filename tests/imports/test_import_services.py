"""Imports: good rows land, every bad row is in the quarantine with its reason, a second import changes
nothing, a corrected row updates its record, and an interrupted import resumes to the same result."""

import io
import json

import pytest

from tests.factories import area_create
from vigil.audit.models import AuditEvent
from vigil.imports.models import ImportRun, SourceKey
from vigil.imports.report import report_header, report_rows
from vigil.imports.services import import_create, import_run
from vigil.imports.writers import WRITERS
from vigil.imports.writers.people import persons_update
from vigil.imports.writing import Writer
from vigil.incidents.models import Incident, Involvement
from vigil.people.models import PersonRecord, Relationship

from .helpers import csv_bytes, incident, jsonl_bytes, person, run_import

pytestmark = pytest.mark.django_db


def _reasons(run) -> dict[int, list[str]]:
    return {row.row_number: row.reasons for row in run.quarantine.all()}


def test_mixed_persons_file_good_rows_land_and_each_bad_row_says_why():
    rows = [person(1), person(2, date_of_birth="1985-02-30"), person(3, sex="X"), person(4, family_name=""),
            person(1, given_name="Again"), person(5, date_of_birth="14/03/1985"), person(6),
            person(7, recorded_at="yesterday"), person(8, date_of_birth="2099-01-01")]
    run = run_import("persons", csv_bytes("persons", rows))
    assert run.status == ImportRun.Status.FINISHED
    assert (run.created, run.quarantined, run.rows_committed) == (2, 7, 9)
    assert set(PersonRecord.objects.filter(source_system="rms").values_list("source_ref", flat=True)) == {
        "NOM-0001", "NOM-0006"}
    reasons = _reasons(run)
    assert reasons[2] == ["date_of_birth is not a real date"]
    assert reasons[3] == ["sex must be one of: F, M, U"]
    assert reasons[4] == ["family_name is required"]
    assert reasons[5] == ["person_id is also on row 1: each identifier once per file"]
    assert reasons[6] == ["date_of_birth must be a date written YYYY-MM-DD"]
    assert "recorded_at must be a date and time" in reasons[8][0]
    assert reasons[9] == ["date_of_birth is in the future"]
    # Each imported record is a person in Vigil at once (the legacy rule), so lists and checks see it.
    assert PersonRecord.objects.filter(source_system="rms", person__isnull=True).count() == 0


def test_broken_encoding_and_truncated_file_are_reported_row_by_row():
    content = csv_bytes("persons", [person(1), person(2), person(3)])
    content = content.replace(b"Given2", b"Giv\xe9n2")  # Latin-1, not UTF-8
    content = content[:-25]  # cut short in the middle of the last row
    run = run_import("persons", content)
    reasons = _reasons(run)
    assert run.created == 1
    assert reasons[2] == ["given_name is not valid UTF-8 text"]
    assert "cut short" in reasons[3][0]
    # The report keeps what could be read, with the broken byte shown as a replacement character.
    report = {int(row[-3]): row for row in report_rows(run)}
    assert report[2][1] == "Giv\ufffdn2"
    assert report_header(run)[-3:] == ["vigil_row", "vigil_errors", "vigil_original"]


def test_a_truncated_json_lines_file_keeps_its_good_rows():
    content = jsonl_bytes([person(1), person(2)]) + b'{"person_id": "NOM-0003", "family_na'
    run = run_import("persons", content, name="people.jsonl")
    assert run.created == 2
    assert _reasons(run) == {3: ["the row is not valid JSON; the file may be cut short"]}


def test_a_json_array_file_and_a_truncated_one():
    content = json.dumps([person(1), person(2)]).encode()
    assert run_import("persons", content, name="people.json").created == 2
    run = run_import("persons", content[:-30], name="people.json", system="other")
    assert run.created == 1 and run.quarantined == 1


def test_same_file_twice_changes_nothing_and_a_corrected_row_updates_its_record():
    area_create(code="city")
    run_import("persons", csv_bytes("persons", [person(1), person(2)]))
    content = csv_bytes("incidents", [incident(1, victim_person_id="NOM-0001", suspect_person_id="NOM-0002",
                                               area_code="city", relationship="former_partner")])
    first = run_import("incidents", content)
    assert (first.created, first.quarantined) == (1, 0)
    before = list(Incident.objects.values())
    second = run_import("incidents", content)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 1)
    assert list(Incident.objects.values()) == before
    assert Involvement.objects.count() == 2 and Relationship.objects.count() == 1

    corrected = csv_bytes("incidents", [incident(1, victim_person_id="NOM-0001", suspect_person_id="NOM-0002",
                                                 area_code="city", response_grade="2")])
    third = run_import("incidents", corrected)
    assert (third.created, third.updated) == (0, 1)
    stored = Incident.objects.get(source_system="rms", source_ref="INC-00001")
    assert stored.response_grade == 2 and Incident.objects.count() == 1


def test_unknown_codes_and_references_go_to_the_quarantine():
    area_create(code="city")
    run_import("persons", csv_bytes("persons", [person(1)]))
    rows = [incident(1, victim_person_id="NOM-0001"), incident(2, channel="fax"), incident(3, area_code="moon"),
            incident(4, victim_person_id="NOM-9999"), incident(5, response_grade="7"),
            incident(6, is_domestic_abuse="perhaps"), incident(7, received_at=""),
            incident(8, victim_person_id="NOM-0001", relationship="current_partner")]
    run = run_import("incidents", csv_bytes("incidents", rows))
    reasons = _reasons(run)
    assert run.created == 1
    assert reasons[2] == ["channel must be one of: 999, 101, online, officer"]
    assert reasons[3] == ["area_code is not a known area code"]
    assert reasons[4] == ["victim_person_id names a person not imported from rms (import the persons file first)"]
    assert reasons[5] == ["response_grade must be from 1 to 4"]
    assert reasons[6] == ["is_domestic_abuse must be true or false"]
    assert reasons[7] == ["received_at is required"]
    assert reasons[8] == ["relationship needs both victim_person_id and suspect_person_id"]


def test_a_reference_already_used_in_vigil_is_not_taken_twice():
    run_import("persons", csv_bytes("persons", [person(1)]))
    run_import("incidents", csv_bytes("incidents", [incident(1, reference="LP-1")]))
    run = run_import("incidents", csv_bytes("incidents", [incident(2, reference="LP-1")]), system="rms")
    assert _reasons(run) == {1: ["reference LP-1 is already used by another record in Vigil"]}


def test_the_fixed_report_can_be_sent_back():
    run = run_import("persons", csv_bytes("persons", [person(1), person(2, sex="X")]))
    header = report_header(run)
    fixed = [dict(zip(header, row, strict=True)) for row in report_rows(run)]
    fixed[0]["sex"] = "F"
    again = run_import("persons", csv_bytes("persons", fixed, columns=header))
    assert (again.created, again.quarantined) == (1, 0)


def test_dry_run_checks_and_counts_but_saves_nothing():
    run = run_import("persons", csv_bytes("persons", [person(1), person(2, sex="X")]), dry_run=True)
    assert (run.created, run.quarantined) == (1, 1)
    assert not PersonRecord.objects.exists() and not SourceKey.objects.exists()


def test_every_import_is_audited_as_a_collection_without_personal_data():
    run = run_import("persons", csv_bytes("persons", [person(1)]))
    event = AuditEvent.objects.get(object_id=str(run.public_id))
    assert event.action == "collection"
    assert event.detail["created"] == 1 and "Given1" not in str(event.detail)


def _snapshot(system: str):
    records = {r.source_ref: (r.given_name, r.family_name, r.date_of_birth, r.sex)
               for r in PersonRecord.objects.filter(source_system=system)}
    return records, SourceKey.objects.filter(source_system=system).count()


def test_an_import_stopped_half_way_resumes_to_the_same_result(monkeypatch):
    rows = [person(n) for n in range(1, 41)] + [person(41, sex="X")]
    content = csv_bytes("persons", rows)
    monkeypatch.setattr("vigil.imports.services.BATCH_ROWS", 10)
    calls = {"n": 0}
    real_insert = WRITERS["persons"].insert

    def crash_on_third_batch(ctx, items):
        calls["n"] += 1
        if calls["n"] == 3:
            real_insert(ctx, items)  # the batch is written, then the process "dies" before it commits
            raise KeyboardInterrupt
        real_insert(ctx, items)

    monkeypatch.setitem(WRITERS, "persons", Writer(crash_on_third_batch, persons_update))
    run = import_create(kind="persons", source_system="stopped", file=io.BytesIO(content), file_name="p.csv",
                        link_after=False)
    with pytest.raises(KeyboardInterrupt):
        import_run(run=run)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.INTERRUPTED and run.rows_committed == 20
    assert PersonRecord.objects.filter(source_system="stopped").count() == 20  # the third batch was undone

    again = import_create(kind="persons", source_system="stopped", file=io.BytesIO(content), file_name="p.csv",
                          link_after=False)
    assert again.pk == run.pk  # the same file resumes its run
    again = import_run(run=again)
    assert again.status == ImportRun.Status.FINISHED

    monkeypatch.setitem(WRITERS, "persons", Writer(real_insert, persons_update))
    whole = run_import("persons", content, system="whole")
    assert (again.created, again.quarantined) == (whole.created, whole.quarantined) == (40, 1)
    assert _snapshot("stopped") == _snapshot("whole")
