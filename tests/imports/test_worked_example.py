"""The worked example in docs/imports/example/ imports cleanly in the documented order, and the imported
history is what the lists see: the same woman written twice is one repeat victim, and her abuser, who
also abused a second woman, is a serial perpetrator."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.factories import area_create
from vigil.imports.models import ImportRun
from vigil.incidents.models import Arrest, Crime, Incident, Outcome
from vigil.linkage.list_selectors import repeat_victim_rows, serial_rows
from vigil.people.models import PersonRecord, Relationship

from .helpers import run_import

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "imports" / "example"
ORDER = ("addresses", "phones", "persons", "incidents", "crimes", "arrests", "outcomes", "relationships")


def _import_example(system: str = "example-rms") -> list[ImportRun]:
    runs = []
    for kind in ORDER:
        runs.append(run_import(kind, (EXAMPLE / f"{kind}.csv").read_bytes(), name=f"{kind}.csv", system=system))
    return runs


def test_the_worked_example_imports_and_the_lists_reflect_its_history():
    area_create(code="city")
    runs = _import_example()
    assert [(r.kind, r.status, r.quarantined) for r in runs] == [(kind, "finished", 0) for kind in ORDER]
    assert (Incident.objects.count(), Crime.objects.count(), Arrest.objects.count(), Outcome.objects.count()) == (
        4, 2, 2, 2)
    assert Relationship.objects.count() == 3  # two stated on incidents, one from the relationships file

    alexa = {r.person_id for r in PersonRecord.objects.filter(source_ref__in=["NOM-1", "NOM-3"])}
    assert len(alexa) == 1  # written twice, one person
    now = datetime(2013, 9, 1, tzinfo=UTC)
    repeat = {row.person_id: row.incidents for row in repeat_victim_rows(now=now)}
    assert repeat.get(alexa.pop()) == 3
    jordan = PersonRecord.objects.get(source_ref="NOM-2").person_id
    serial = {row.person_id: row.victims for row in serial_rows(now=now)}
    assert serial.get(jordan) == 2


def test_importing_the_example_again_changes_nothing():
    area_create(code="city")
    _import_example()
    again = _import_example()
    assert all(r.created == 0 and r.updated == 0 and r.quarantined == 0 for r in again)
    assert PersonRecord.objects.count() == 5 and Incident.objects.count() == 4


def test_the_published_schema_documents_every_column_of_every_kind():
    from vigil.imports import schema

    text = (EXAMPLE.parents[1] / "imports.md").read_text(encoding="utf-8")
    missing = [f"{name}.{column}" for name, kind in schema.KINDS.items()
               for column in kind.columns if f"| `{column}` |" not in text]
    assert not missing and all(f"### `{name}`" in text for name in schema.KINDS)
