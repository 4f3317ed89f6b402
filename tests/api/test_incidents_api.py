"""POST /api/v1/incidents/: a command-and-control system pushes incidents. A retry never duplicates;
bad input gets a clear error naming the field and saves nothing."""

import copy
import json
import uuid

import pytest
import yaml
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import user_create
from vigil.api import idempotency
from vigil.api.models import IdempotentRequest
from vigil.audit.models import AuditEvent
from vigil.incidents.models import Incident, Involvement
from vigil.people.models import Address, Person, PersonRecord, Phone

pytestmark = pytest.mark.django_db

URL = "/api/v1/incidents/"

BODY = {
    "source_ref": "CAD-0001",
    "received_at": "2025-03-01T22:15:00Z",
    "channel": "999",
    "caller_phone": "07700 900123",
    "address": {"line1": "12 Example Road", "line2": "", "town": "Leicester", "postcode": "le1 6zz"},
    "summary": "Synthetic test call: shouting heard, caller frightened.",
    "is_domestic_abuse": True,
    "weapons": False,
    "injuries": None,
    "children_present": True,
    "suspect_present": True,
    "response_grade": 1,
    "people": [
        {"role": "victim", "given_name": "Alex", "family_name": "Example", "date_of_birth": "1990-04-01",
         "phone": "07700 900123"},
        {"role": "suspect", "given_name": "Sam", "family_name": "Sample", "date_of_birth": None},
    ],
}


def body(**changes) -> dict:
    data = copy.deepcopy(BODY)
    data.update(changes)
    return data


def token_client(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return api


@pytest.fixture
def system():
    return user_create(role="control_system", username="cad-system")


@pytest.fixture
def api(system):
    return token_client(system)


def push(api, data, key: str | None = "key-1", **extra):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    payload = data if isinstance(data, str | bytes) else json.dumps(data)
    return api.post(URL, data=payload, content_type="application/json", **headers, **extra)


def saved() -> dict:
    """Everything a push could have saved."""
    return {model.__name__: model.objects.count()
            for model in (Incident, Involvement, PersonRecord, Person, Address, Phone, IdempotentRequest)} | {
        "collections": AuditEvent.objects.filter(action="collection").count()}


def test_a_pushed_incident_is_created_open_with_its_people_place_and_number(api, system):
    response = push(api, BODY)

    assert response.status_code == 201, response.json()
    answer = response.json()
    incident = Incident.objects.get(public_id=answer["id"])
    assert answer["reference"] == incident.reference
    assert answer["status"] == "open" == incident.status
    assert (incident.source_system, incident.source_ref) == ("cad-system", "CAD-0001")
    assert incident.recorded_by == system
    assert incident.response_grade == 1 and incident.is_domestic_abuse
    assert (incident.weapons, incident.injuries, incident.children_present) == (False, None, True)
    assert incident.address.postcode == "LE1 6ZZ"
    assert incident.caller_phone.e164 == "+447700900123"
    assert sorted(incident.involvements.values_list("role", flat=True)) == ["suspect", "victim"]
    assert answer["history_url"].endswith(f"/api/v1/history/?incident={incident.public_id}")
    assert answer["checks"] and {c["kind"] for c in answer["checks"]} == set(
        incident.checks.values_list("kind", flat=True))
    assert AuditEvent.objects.filter(action="collection", actor=system, object_id=str(incident.public_id)).exists()
    assert response["Cache-Control"] == "no-store"
    assert "Idempotent-Replayed" not in response


def test_a_retry_with_the_same_key_gets_the_same_answer_and_creates_nothing(api):
    first = push(api, BODY)
    before = saved()

    retry = push(api, BODY)

    assert retry.status_code == first.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert saved() == before
    assert Incident.objects.count() == 1


def test_the_same_body_written_in_another_order_is_the_same_request(api):
    first = push(api, BODY)
    reordered = json.dumps(dict(reversed(list(BODY.items()))), indent=2)

    retry = push(api, reordered)

    assert retry.status_code == 201 and retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()


def test_the_same_key_with_a_different_body_is_refused_and_changes_nothing(api):
    push(api, BODY)
    before = saved()
    stored = IdempotentRequest.objects.values().get()

    response = push(api, body(response_grade=2))

    assert response.status_code == 422
    assert "different request body" in response.json()["detail"]
    assert saved() == before
    assert IdempotentRequest.objects.values().get() == stored
    assert Incident.objects.get().response_grade == 1


def test_keys_belong_to_one_client(api):
    push(api, BODY)
    other = token_client(user_create(role="control_system", username="cad-backup"))

    response = push(other, BODY)  # same key, another system: its own incident (its own source_system)

    assert response.status_code == 201
    assert set(Incident.objects.values_list("source_system", flat=True)) == {"cad-system", "cad-backup"}


@pytest.mark.parametrize("key", [None, "", "   ", "x" * 101, "clé-unicode", "tab\there"])
def test_a_missing_or_invalid_idempotency_key_is_refused_with_a_clear_message(api, key):
    before = saved()

    response = push(api, BODY, key=key)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    assert saved() == before


def test_a_key_of_100_printable_characters_is_accepted(api):
    assert push(api, BODY, key="K" * 99 + "!").status_code == 201


def _set(data: dict, path: tuple, value):
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return data


@pytest.mark.parametrize(("path", "value", "error_at"), [
    (("received_at",), "2025-13-45T25:00:00Z", ("received_at",)),
    (("received_at",), "2999-01-01T00:00:00Z", ("received_at",)),
    (("response_grade",), 7, ("response_grade",)),
    (("response_grade",), "urgent", ("response_grade",)),
    (("people", 1, "role"), "neighbour", ("people", 1, "role")),
    (("people", 0, "date_of_birth"), "01/04/1990", ("people", 0, "date_of_birth")),
    (("address", "postcode"), "NOT A POSTCODE", ("address", "postcode")),
    (("address", "line1"), "", ("address", "line1")),
    (("channel",), "fax", ("channel",)),
    (("caller_phone",), "12", ("caller_phone",)),
    (("is_domestic_abuse",), "perhaps", ("is_domestic_abuse",)),
    (("source_ref",), "", ("source_ref",)),
    (("grade",), 1, ("grade",)),  # a misspelt field is named, not ignored
])
def test_bad_input_names_the_field_and_saves_nothing(api, path, value, error_at):
    before = saved()

    response = push(api, _set(body(), path, value))

    assert response.status_code == 400, response.json()
    answer = response.json()
    assert "not saved" in answer["detail"]
    errors = answer["errors"]
    for part in error_at:
        errors = errors[str(part)]  # a person's errors are under its position in the list: "people": {"1": ...}
    assert errors and all(isinstance(message, str) and message for message in errors)
    if len(str(value)) > 3:
        assert str(value) not in json.dumps(answer)  # never echoed: it may locate a victim
    assert saved() == before


@pytest.mark.parametrize("missing", ["source_ref", "received_at", "channel", "is_domestic_abuse", "response_grade"])
def test_a_required_field_left_out_is_named(api, missing):
    data = body()
    del data[missing]
    before = saved()

    response = push(api, data)

    assert response.status_code == 400
    assert missing in response.json()["errors"]
    assert saved() == before


def test_a_domestic_abuse_incident_needs_its_victim_and_somewhere_to_go(api):
    before = saved()

    response = push(api, body(people=[BODY["people"][1]], address=None, location_text=""))

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"people", "address"}
    assert saved() == before


def test_a_bad_person_late_in_the_list_still_saves_nothing(api):
    people = [dict(BODY["people"][0])] + [{"role": "witness", "given_name": f"W{n}"} for n in range(5)]
    people.append({"role": "witness", "given_name": "", "family_name": ""})
    before = saved()

    response = push(api, body(people=people))

    assert response.status_code == 400
    assert "family_name" in response.json()["errors"]["people"]["6"]
    assert saved() == before


@pytest.mark.parametrize("payload", ["{not json", b"\xff\xfe", "", "[1, 2]", '"a string"'])
def test_a_body_that_is_not_a_json_object_is_refused_and_saves_nothing(api, payload):
    before = saved()

    response = push(api, payload)

    assert response.status_code == 400
    assert response.json()["detail"]
    assert saved() == before


def test_a_form_encoded_body_is_refused(api):
    response = api.post(URL, data={"source_ref": "x"}, HTTP_IDEMPOTENCY_KEY="k")

    assert response.status_code == 415
    assert Incident.objects.count() == 0


def test_invalid_input_is_not_remembered_against_the_key(api):
    assert push(api, body(response_grade=7)).status_code == 400

    response = push(api, BODY)

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response


def test_a_source_ref_already_received_is_a_conflict_that_names_the_first_incident(api):
    first = push(api, BODY).json()
    before = saved()

    response = push(api, body(summary="Sent again by an operator"), key="key-2")

    assert response.status_code == 409
    answer = response.json()
    assert answer["id"] == first["id"] and answer["reference"] == first["reference"]
    assert "source_ref" in answer["errors"]
    assert saved() == before


def test_a_concurrent_duplicate_with_the_same_key_creates_one_incident(api, monkeypatch):
    """Two requests with one key both find it unused; the second's claim meets the unique constraint,
    its work is rolled back, and it is answered with the first one's answer."""
    first = push(api, BODY)
    real = idempotency.stored_answer
    calls = []

    def not_yet_committed(**scope):
        calls.append(scope)
        return None if len(calls) == 1 else real(**scope)

    monkeypatch.setattr(idempotency, "stored_answer", not_yet_committed)
    before = saved()

    second = push(api, BODY)

    assert len(calls) == 2
    assert second.status_code == 201 and second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert saved() == before
    assert Incident.objects.count() == 1


def test_the_stored_answer_holds_no_personal_data(api):
    push(api, BODY)

    stored = json.dumps(IdempotentRequest.objects.get().response)

    for personal in ("Alex", "Example", "Sample", "LE1", "900123", "Example Road", "shouting", "1990"):
        assert personal not in stored
    assert IdempotentRequest.objects.get().request_hash == idempotency.request_hash(BODY)


@pytest.mark.parametrize("role", ["call_taker", "control_room_supervisor", "analyst", "administrator"])
def test_other_roles_may_not_push_incidents(role):
    response = push(token_client(user_create(role=role)), BODY)

    assert response.status_code == 403
    assert Incident.objects.count() == 0


def test_anonymous_callers_are_told_to_authenticate():
    response = push(APIClient(), BODY)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert Incident.objects.count() == 0


def test_a_wrong_token_is_refused():
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {uuid.uuid4().hex}")

    assert push(api, BODY).status_code == 401


def test_reading_the_incidents_endpoint_is_not_allowed(api):
    assert api.get(URL).status_code == 405


def test_the_schema_documents_both_endpoints_and_the_idempotency_key(client, make_user):
    client.force_login(make_user(role="analyst"))

    schema = yaml.safe_load(client.get("/api/v1/schema/").content)

    push_op = schema["paths"]["/api/v1/incidents/"]["post"]
    assert {p["name"] for p in push_op["parameters"] if p["in"] == "header"} == {"Idempotency-Key"}
    assert {"201", "400", "401", "403", "409", "422"} <= set(push_op["responses"])
    history_op = schema["paths"]["/api/v1/history/"]["get"]
    assert {"phone", "line1", "postcode", "person", "incident"} <= {p["name"] for p in history_op["parameters"]}
    assert {"200", "400", "404"} <= set(history_op["responses"])
