"""Generating into the database: determinism, the rows' shape, and the management command."""

from io import StringIO

import pytest
from django.core.management import call_command

from tests.demo.conftest import generated_then_rolled_back
from vigil.demo.models import GeneratedForce, TrueIdentity
from vigil.demo.services import partitions_for
from vigil.incidents.models import Crime, Incident
from vigil.linkage.models import MatchingModel
from vigil.people.models import PersonRecord


def _snapshot():
    return {
        "incidents": list(Incident.objects.order_by("public_id").values_list(
            "public_id", "received_at", "channel", "summary", "response_grade", "is_domestic_abuse")),
        "references": sorted(r.rsplit("-", 1)[1] for r in Incident.objects.values_list("reference", flat=True)),
        "records": list(PersonRecord.objects.order_by("public_id").values_list(
            "public_id", "given_name", "family_name", "date_of_birth", "address__line1", "phone__e164")),
        "crimes": list(Crime.objects.order_by("public_id").values_list(
            "public_id", "offence_group", "recorded_at", "outcome__type", "incident__public_id")),
        "noise": sorted(TrueIdentity.objects.values_list("person_record__public_id", "noise")),
    }


@pytest.mark.django_db
def test_same_seed_gives_the_same_rows_and_another_seed_differs(profile):
    first = generated_then_rolled_back(profile, seed=21, scale=0.01, read=_snapshot)
    again = generated_then_rolled_back(profile, seed=21, scale=0.01, read=_snapshot)
    other = generated_then_rolled_back(profile, seed=22, scale=0.01, read=_snapshot)
    assert first == again
    assert first["incidents"] and first["records"]
    assert first["incidents"] != other["incidents"] and first["records"] != other["records"]


@pytest.mark.django_db
def test_generating_in_a_child_process_writes_exactly_the_same_rows(profile):
    in_process = generated_then_rolled_back(profile, seed=21, scale=0.01, read=_snapshot)
    pipelined = generated_then_rolled_back(profile, seed=21, scale=0.01, read=_snapshot, parallel=True)
    assert pipelined == in_process


def test_a_national_scale_is_split_into_force_partitions():
    assert partitions_for(1) == (1, 1)
    assert partitions_for(0.3) == (1, 0.3)
    assert partitions_for(43) == (43, 1)
    assert partitions_for(2.5) == (3, 2.5 / 3)


@pytest.mark.django_db
def test_the_command_generates_and_reports(profile):
    out = StringIO()
    call_command("demo", "--profile", "leicestershire-2013", "--seed", "4", "--scale", "0.005", stdout=out,
                 stderr=StringIO())
    assert "leicestershire-2013 (seed 4, scale 0.005, 1 partition)" in out.getvalue()
    assert f"{Incident.objects.count():,} incidents" in out.getvalue()
    assert GeneratedForce.objects.get().seed == 4
    # ...then links the records with a model trained on them, as a force's history would be linked.
    assert "Linked the person records with the matching model" in out.getvalue()
    assert MatchingModel.objects.filter(active=True).exists()


@pytest.mark.django_db
def test_the_command_can_leave_the_records_linked_by_the_legacy_rules(profile):
    out = StringIO()
    call_command("demo", "--seed", "4", "--scale", "0.005", "--no-link", stdout=out, stderr=StringIO())
    assert "Linked" not in out.getvalue() and not MatchingModel.objects.exists()


@pytest.mark.django_db
def test_if_empty_does_nothing_when_incidents_exist(profile):
    Incident.objects.create(reference="TEST-1", received_at="2013-09-01T10:00Z", channel="999", response_grade=1)
    out = StringIO()
    call_command("demo", "--seed", "4", "--scale", "0.005", "--if-empty", stdout=out)
    assert "nothing generated" in out.getvalue()
    assert Incident.objects.count() == 1
    assert not GeneratedForce.objects.exists()


@pytest.mark.django_db
def test_if_empty_generates_into_an_empty_database():
    out = StringIO()
    call_command("demo", "--seed", "4", "--scale", "0.005", "--if-empty", stdout=out, stderr=StringIO())
    assert Incident.objects.exists()
