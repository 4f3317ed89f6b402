"""The rows of a generated force (scale 0.05): shape, normalised keys, and what the database does next."""

import random
import uuid

import pytest
from django.db import connection

from vigil.cases.models import SafeguardingCase
from vigil.demo.force import uuid4_hex
from vigil.demo.models import GeneratedForce
from vigil.demo.services import MODELS
from vigil.incidents.models import Area, Crime, Incident, Involvement, Outcome
from vigil.people.models import Address, PersonRecord, Phone, Relationship
from vigil.people.normalise import name_key, normalise_phone, normalise_postcode, phonetic_key
from vigil.risk.models import RiskAssessment


@pytest.mark.django_db
def test_rows_are_well_formed(small_force):
    assert Area.objects.count() == 7
    assert GeneratedForce.objects.get().incidents == Incident.objects.count()
    record = PersonRecord.objects.exclude(given_name="").first()
    assert record.given_name_key == name_key(record.given_name)
    assert record.family_name_phonetic == phonetic_key(record.family_name)
    for phone in Phone.objects.all()[:200]:
        assert normalise_phone(phone.e164) == phone.e164
        assert phone.e164.startswith(("+4477009", "+44116496"))
    for address in Address.objects.all()[:200]:
        assert normalise_postcode(address.postcode) == address.postcode
        assert address.postcode.split(" ")[0] in {d for a in Area.objects.all() for d in a.postcode_districts.split()}
    da = Incident.objects.filter(is_domestic_abuse=True)
    assert da.count() == RiskAssessment.objects.count() == SafeguardingCase.objects.count()
    assert da.count() == Relationship.objects.count()
    assert not Crime.objects.filter(is_domestic_abuse=True, victim__isnull=True).exists()
    assert Outcome.objects.count() == Crime.objects.count()
    assert Involvement.objects.filter(role="child_present").exists()
    assert not Relationship.objects.filter(kind="family_member", intimate=True).exists()
    assert RiskAssessment.objects.filter(instrument="dash-2009").count() == RiskAssessment.objects.count()


@pytest.mark.django_db
def test_the_database_takes_new_rows_after_a_load(small_force):
    incident = Incident.objects.create(reference="TEST-1", received_at="2013-09-01T10:00Z", channel="999",
                                       response_grade=1)
    assert incident.pk > Incident.objects.exclude(pk=incident.pk).order_by("-pk").first().pk


def test_uuids_are_version_4_and_deterministic():
    value = uuid4_hex(random.Random(1))
    assert value == uuid4_hex(random.Random(1))
    assert uuid.UUID(value).version == 4
    assert uuid.UUID(value) == uuid.UUID(int=random.Random(1).getrandbits(128), version=4)


@pytest.mark.django_db
def test_every_foreign_key_points_at_a_row(small_force):
    """The loader may skip PostgreSQL's per-row key triggers, so check every key here."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in MODELS.values():
            for field in model._meta.concrete_fields:
                if not field.is_relation:
                    continue
                target = field.related_model._meta
                cursor.execute(
                    f"SELECT count(*) FROM {quote(model._meta.db_table)} t LEFT JOIN {quote(target.db_table)} r"
                    f" ON r.{quote(target.pk.column)} = t.{quote(field.column)}"
                    f" WHERE t.{quote(field.column)} IS NOT NULL AND r.{quote(target.pk.column)} IS NULL")
                assert cursor.fetchone()[0] == 0, f"{model.__name__}.{field.name}"
