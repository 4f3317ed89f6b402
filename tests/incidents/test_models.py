from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, transaction

from tests import factories
from vigil.incidents.models import Arrest, Incident, Involvement, Outcome

pytestmark = pytest.mark.django_db


def test_incident_records_people_in_their_roles():
    victim = factories.person_record_create(given_name="Ann")
    suspect = factories.person_record_create(given_name="Bob")
    incident = factories.incident_create(victim=victim, suspect=suspect)
    roles = dict(incident.involvements.values_list("role", "person_record__given_name"))
    assert roles == {"victim": "Ann", "suspect": "Bob"}


def test_the_same_person_record_is_not_recorded_twice_in_one_role():
    victim = factories.person_record_create()
    incident = factories.incident_create(victim=victim)
    with pytest.raises(IntegrityError), transaction.atomic():
        Involvement.objects.create(incident=incident, person_record=victim, role="victim")
    Involvement.objects.create(incident=incident, person_record=victim, role="caller")


def test_response_grade_must_be_1_to_4():
    with pytest.raises(IntegrityError), transaction.atomic():
        Incident.objects.create(reference="X-1", received_at=datetime(2013, 1, 1, tzinfo=UTC), channel="999",
                                response_grade=7)


def test_no_further_action_needs_a_reason_and_others_must_not_have_one():
    crime = factories.crime_create()
    decided = datetime(2013, 4, 1, tzinfo=UTC)
    with pytest.raises(IntegrityError), transaction.atomic():
        Outcome.objects.create(crime=crime, type="nfa", nfa_reason="", decided_at=decided)
    with pytest.raises(IntegrityError), transaction.atomic():
        Outcome.objects.create(crime=crime, type="charge", nfa_reason="evidential_difficulties", decided_at=decided)
    Outcome.objects.create(crime=crime, type="nfa", nfa_reason="victim_does_not_support", decided_at=decided)


def test_a_crime_has_one_final_outcome():
    crime = factories.crime_create()
    decided = datetime(2013, 4, 1, tzinfo=UTC)
    Outcome.objects.create(crime=crime, type="charge", decided_at=decided)
    with pytest.raises(IntegrityError), transaction.atomic():
        Outcome.objects.create(crime=crime, type="caution", decided_at=decided)


def test_an_arrest_is_for_an_incident_or_a_crime():
    suspect = factories.person_record_create()
    with pytest.raises(IntegrityError), transaction.atomic():
        Arrest.objects.create(person_record=suspect, arrested_at=datetime(2013, 1, 1, tzinfo=UTC))
    incident = factories.incident_create(suspect=suspect)
    Arrest.objects.create(person_record=suspect, incident=incident, arrested_at=datetime(2013, 1, 1, tzinfo=UTC))


def test_source_reference_is_unique_per_source_system():
    base = dict(received_at=datetime(2013, 1, 1, tzinfo=UTC), channel="101", response_grade=3)
    Incident.objects.create(reference="A-1", source_system="storm", source_ref="123", **base)
    Incident.objects.create(reference="A-2", source_system="niche", source_ref="123", **base)
    Incident.objects.create(reference="A-3", **base)
    Incident.objects.create(reference="A-4", **base)  # blank source refs never collide
    with pytest.raises(IntegrityError), transaction.atomic():
        Incident.objects.create(reference="A-5", source_system="storm", source_ref="123", **base)
