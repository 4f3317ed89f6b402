"""GET /api/v1/history/: the control-room history by number, address, person or incident, as JSON.
Each look-up is audited; an empty answer says why no record is not the same as no history."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import (
    address_create,
    case_create,
    incident_create,
    marker_create,
    person_record_create,
    phone_create,
    risk_assessment_create,
    user_create,
)
from vigil.audit.models import AuditEvent
from vigil.checks.history import NO_RECORD_FOUND
from vigil.people.models import Person, SafeContact

pytestmark = pytest.mark.django_db

URL = "/api/v1/history/"


def token_client(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return api


@pytest.fixture
def system():
    return user_create(role="control_system")


@pytest.fixture
def api(system):
    return token_client(system)


@pytest.fixture
def now():
    return timezone.now()


def test_history_by_number_counts_incidents_all_time_and_in_the_last_12_months(api, now):
    phone = phone_create(number="07700 900123")
    incident_create(caller_phone=phone, received_at=now - timedelta(days=30))
    incident_create(caller_phone=phone, received_at=now - timedelta(days=200))
    incident_create(caller_phone=phone, received_at=now - timedelta(days=800))
    incident_create(caller_phone=phone_create(number="07700 900999"), received_at=now - timedelta(days=3))

    response = api.get(URL, {"phone": "+44 7700 900123"})

    assert response.status_code == 200, response.json()
    answer = response.json()
    assert answer["counts"] == {"address_all": 0, "address_12m": 0, "phone_all": 3, "phone_12m": 2}
    assert answer["searched_phone"] == "+447700900123"
    assert [i["matched_on"] for i in answer["incidents"]] == [["number"]] * 3
    assert answer["records_found"] is True and answer["message"] == ""
    assert response["Cache-Control"] == "no-store"


def test_history_by_address_finds_the_address_however_it_was_written(api, now):
    address = address_create(line1="12 Example Road", postcode="LE1 6ZZ")
    variant = address_create(line1="12 EXAMPLE ROAD", postcode="LE16ZZ")
    incident_create(address=address, received_at=now - timedelta(days=10))
    incident_create(address=variant, received_at=now - timedelta(days=500))
    incident_create(address=address_create(line1="14 Example Road"), received_at=now - timedelta(days=10))
    marker_create(kind="weapons", address=address, starts_on=(now - timedelta(days=60)).date())

    answer = api.get(URL, {"line1": "12 example road", "postcode": "le1 6zz"}).json()

    assert (answer["counts"]["address_all"], answer["counts"]["address_12m"]) == (2, 1)
    assert [i["matched_on"] for i in answer["incidents"]] == [["address"]] * 2
    assert [m["kind"] for m in answer["place_markers"]] == ["weapons"]
    assert answer["place_markers"][0]["on"] == "address"


def test_an_address_search_counts_no_calls_from_a_number(api, now):
    incident_create(address=address_create(line1="12 Example Road"), received_at=now - timedelta(days=10))

    counts = api.get(URL, {"line1": "12 Example Road", "postcode": "LE1 6ZZ"}).json()["counts"]

    assert (counts["phone_all"], counts["phone_12m"]) == (0, 0)


def test_history_by_person_shows_what_the_control_room_must_know(api, now):
    victim = person_record_create(given_name="Alex", family_name="Example")
    suspect = person_record_create(given_name="Sam", family_name="Sample")
    owner = user_create(role="specialist_investigator")
    owner.first_name, owner.last_name = "Pat", "Owner"
    owner.save()
    recent = incident_create(victim=victim, suspect=suspect, received_at=now - timedelta(days=20))
    incident_create(victim=victim, suspect=suspect, received_at=now - timedelta(days=90))
    risk_assessment_create(incident=recent, victim=victim, grade="high")
    case_create(victim=victim, incident=recent, risk_level="high", owner=owner)
    marker_create(kind="marac", person=victim.person, starts_on=(now - timedelta(days=15)).date())
    SafeContact.objects.create(person=victim.person, code_word="bluebell", updated_at=now)

    response = api.get(URL, {"person": str(victim.person.public_id)})

    assert response.status_code == 200
    people = response.json()["people"]
    assert len(people) == 1
    person = people[0]
    assert person["id"] == str(victim.person.public_id)
    assert person["name"] == "Alex Example"
    assert person["latest_grade"] == "high"
    assert person["victim_calls_12m"] == 2 and person["is_repeat_victim"] is True
    assert person["marac_12m"] == str((now - timedelta(days=15)).date())
    assert [m["kind"] for m in person["markers"]] == ["marac"]
    assert person["code_word"] == "bluebell"
    assert [(c["risk_level"], c["owner"]) for c in person["open_cases"]] == [("high", "Pat Owner")]


def test_a_suspect_with_other_victims_is_shown_as_such(api, now):
    suspect = person_record_create(given_name="Sam", family_name="Sample")
    for n in range(3):
        incident_create(victim=person_record_create(given_name=f"V{n}"), suspect=suspect,
                        received_at=now - timedelta(days=30 * (n + 1)))

    person = api.get(URL, {"person": str(suspect.person.public_id)}).json()["people"][0]

    assert person["victims_abused"] == 3
    assert person["roles"] == []  # looked up by person: no incident matched by place


def test_a_restricted_person_is_shown_without_name_or_date_of_birth(api, now):
    record = person_record_create(given_name="Hidden", family_name="Person")
    Person.objects.filter(pk=record.person_id).update(restricted=True)

    person = api.get(URL, {"person": str(record.person.public_id)}).json()["people"][0]

    assert person["restricted"] is True
    assert person["name"] == "Restricted record" and person["date_of_birth"] is None
    assert "Hidden" not in json.dumps(person)


def test_number_address_and_person_can_be_combined_as_a_call_taker_would(api, now):
    phone = phone_create(number="07700 900123")
    address = address_create(line1="3 Sample Street", postcode="LE2 1AA")
    victim = person_record_create()
    incident_create(caller_phone=phone, address=address, victim=victim, received_at=now - timedelta(days=5))

    answer = api.get(URL, {"phone": "07700900123", "line1": "3 Sample Street", "postcode": "LE2 1AA",
                           "person": str(victim.person.public_id)}).json()

    assert (answer["counts"]["address_all"], answer["counts"]["phone_all"]) == (1, 1)
    assert answer["incidents"][0]["matched_on"] == ["address", "number"]
    assert [p["id"] for p in answer["people"]] == [str(victim.person.public_id)]


def test_an_empty_history_says_no_record_is_not_no_history(api):
    answer = api.get(URL, {"phone": "07700 900555"}).json()

    assert answer["records_found"] is False
    assert answer["message"] == NO_RECORD_FOUND
    assert answer["counts"]["phone_all"] == 0 and answer["incidents"] == [] and answer["people"] == []


def test_the_history_url_of_a_pushed_incident_gives_the_history_of_its_number_address_and_people(api, now):
    phone = phone_create(number="07700 900123")
    incident_create(caller_phone=phone, received_at=now - timedelta(days=40))
    pushed = incident_create(caller_phone=phone, received_at=now, status="open")

    answer = api.get(URL, {"incident": str(pushed.public_id)}).json()

    assert answer["counts"]["phone_all"] == 1  # the incident itself is left out of its own history
    assert str(pushed.public_id) not in {i["id"] for i in answer["incidents"]}


def test_every_look_up_is_audited_against_each_person_shown(api, system, now):
    victim = person_record_create()
    address = address_create(line1="7 Audit Lane", postcode="LE1 6ZZ")
    incident_create(address=address, victim=victim, received_at=now - timedelta(days=3))

    api.get(URL, {"line1": "7 Audit Lane", "postcode": "LE1 6ZZ"})

    events = AuditEvent.objects.filter(action="consultation", actor=system)
    assert [e.subject_person_id for e in events] == [victim.person.public_id]
    assert events[0].detail["by_address"] is True
    assert "Audit Lane" not in json.dumps(events[0].detail)


def test_an_empty_look_up_is_audited_too(api, system):
    api.get(URL, {"phone": "07700 900555"})

    assert AuditEvent.objects.filter(action="consultation", actor=system, subject_person_id=None).count() == 1


@pytest.mark.parametrize(("query", "field"), [
    ({}, "non_field_errors"),
    ({"phone": ""}, "non_field_errors"),
    ({"line1": "12 Example Road"}, "postcode"),
    ({"postcode": "LE1 6ZZ"}, "line1"),
    ({"line1": "12 Example Road", "postcode": "NOWHERE"}, "postcode"),
    ({"phone": "12"}, "phone"),
    ({"person": "not-a-uuid"}, "person"),
    ({"address": "12 Example Road"}, "address"),
])
def test_a_missing_or_invalid_search_is_refused_with_the_parameter_named(api, query, field):
    response = api.get(URL, query)

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert response.json()["detail"]
    assert not AuditEvent.objects.filter(action="consultation").exists()


def test_no_search_at_all_says_what_to_give(api):
    assert "at least one of" in api.get(URL).json()["detail"]


def test_an_incident_with_other_searches_is_refused(api):
    incident = incident_create()

    response = api.get(URL, {"incident": str(incident.public_id), "phone": "07700 900123"})

    assert response.status_code == 400 and "incident" in response.json()["errors"]


@pytest.mark.parametrize("name", ["person", "incident"])
def test_an_unknown_person_or_incident_is_not_found(api, name):
    import uuid

    response = api.get(URL, {name: str(uuid.uuid4())})

    assert response.status_code == 404
    assert response.json()["detail"]
    assert not AuditEvent.objects.filter(action="consultation").exists()


def test_the_answer_adds_no_query_per_person_or_incident(api, now):
    """The selector materialises the history; the serializer only reads it."""
    def look_up(line1: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get(URL, {"line1": line1, "postcode": "LE1 6ZZ"}).status_code == 200
        # The audit log writes one event per person shown (by design); everything else is fixed.
        return sum(1 for q in queries if not q["sql"].startswith('INSERT INTO "audit_auditevent"'))

    small = address_create(line1="1 Small Street")
    incident_create(address=small, victim=person_record_create(), received_at=now - timedelta(days=5))
    large = address_create(line1="2 Large Street")
    for n in range(6):
        victim = person_record_create(given_name=f"V{n}")
        incident = incident_create(address=large, victim=victim, suspect=person_record_create(given_name=f"S{n}"),
                                   received_at=now - timedelta(days=5 + n))
        risk_assessment_create(incident=incident, victim=victim, grade="medium")
        marker_create(kind="violence", person=victim.person, starts_on=(now - timedelta(days=50)).date())
        case_create(victim=victim, incident=incident, owner=user_create(role="neighbourhood_officer"))

    assert look_up("2 Large Street") == look_up("1 Small Street")


@pytest.mark.parametrize("role", ["call_taker", "dispatcher", "response_officer", "supervisor"])
def test_the_control_room_and_attending_officers_may_read_history(client, role):
    client.force_login(user_create(role=role))

    assert client.get(URL, {"phone": "07700 900555"}).status_code == 200


@pytest.mark.parametrize("role", ["analyst", "partner_practitioner", "administrator", "auditor"])
def test_other_roles_may_not_read_history(role):
    response = token_client(user_create(role=role)).get(URL, {"phone": "07700 900555"})

    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="consultation").exists()


def test_anonymous_callers_are_told_to_authenticate():
    response = APIClient().get(URL, {"phone": "07700 900555"})

    assert response.status_code == 401


def test_nothing_searched_for_reaches_the_logs(api, caplog):
    """Searches travel in the query string; the logs (access log: path only) must never carry them."""
    caplog.set_level("DEBUG")

    api.get(URL, {"phone": "07700 900123", "line1": "9 Secret Close", "postcode": "LE1 6ZZ"})
    api.get(URL, {"phone": "07700 900123", "line1": "9 Secret Close"})  # 400
    api.get(URL, {"person": "5b1b8a5e-0000-4000-8000-000000000000"})  # 404

    logged = "\n".join(record.getMessage() for record in caplog.records)
    for searched in ("900123", "Secret", "LE1", "5b1b8a5e"):
        assert searched not in logged
