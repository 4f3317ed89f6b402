import uuid
from datetime import UTC, datetime
from unittest import mock

import pytest
from django.urls import reverse

from vigil.audit.models import AuditEvent
from vigil.audit.services import audit_record

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_layout")]

SEARCH = reverse("audit:search")
VERIFY = reverse("audit:verify")
EMPTY_SEARCH = {"person_id": "", "user": "", "object_id": "", "date_from": "", "date_to": "", "action": ""}


def at(*when):
    return mock.patch("django.utils.timezone.now", return_value=datetime(*when, tzinfo=UTC))


@pytest.fixture
def history(officer, user_with_role):
    """Three looks at two people by two officers on different days."""
    other = user_with_role(role="call_taker")
    person_a, person_b = uuid.uuid4(), uuid.uuid4()
    with at(2026, 3, 1, 10):
        audit_record(action="consultation", actor=officer, object_type="people.Person", object_id=str(person_a),
                     subject_person_id=person_a, reason="First call")
    with at(2026, 3, 5, 10):
        audit_record(action="consultation", actor=other, object_type="people.Person", object_id=str(person_b),
                     subject_person_id=person_b, reason="Second call")
    with at(2026, 3, 9, 10):
        audit_record(action="alteration", actor=officer, object_type="people.Person", object_id=str(person_b),
                     subject_person_id=person_b, reason="Third call")
    return {"officer": officer, "other": other, "person_a": person_a, "person_b": person_b}


def search(client, **criteria):
    return client.post(SEARCH, {**EMPTY_SEARCH, **criteria}, follow=True)


def reasons_shown(response) -> set[str]:
    return {r for r in ("First call", "Second call", "Third call") if r in response.content.decode()}


def test_an_auditor_searches_by_person(client, auditor, history):
    client.force_login(auditor)
    response = search(client, person_id=str(history["person_b"]))
    assert response.status_code == 200
    assert reasons_shown(response) == {"Second call", "Third call"}
    # The auditor's own search concerns the person too, so it is recorded against them and listed.
    assert "3 events found" in response.content.decode() and "Searched" in response.content.decode()
    assert "Response officer" in response.content.decode()  # the role as it was, by name


def test_an_auditor_searches_by_user_name_or_id(client, auditor, history):
    client.force_login(auditor)
    assert reasons_shown(search(client, user=history["officer"].username)) == {"First call", "Third call"}
    assert reasons_shown(search(client, user=str(history["other"].public_id))) == {"Second call"}


def test_an_auditor_searches_by_object_action_and_dates(client, auditor, history):
    client.force_login(auditor)
    assert reasons_shown(search(client, object_id=str(history["person_a"]))) == {"First call"}
    assert reasons_shown(search(client, action="alteration")) == {"Third call"}
    assert reasons_shown(search(client, date_from="05/03/2026", date_to="2026-03-05")) == {"Second call"}
    assert reasons_shown(search(client, date_from="2026-03-02")) == {"Second call", "Third call"}


def test_criteria_stay_out_of_the_url(client, auditor, history):
    client.force_login(auditor)
    response = search(client, user=history["officer"].username)
    final_url = response.redirect_chain[-1][0]
    assert history["officer"].username not in final_url and "search=" in final_url


def test_results_are_paged(client, auditor):
    for n in range(55):
        audit_record(action="consultation", reason=f"Look {n:02d}")
    client.force_login(auditor)
    response = search(client, action="consultation")
    assert "55 events found" in response.content.decode() and "1 of 2" in response.content.decode()
    page_two = client.get(response.redirect_chain[-1][0] + "&page=2")
    assert "Look 00" in page_two.content.decode() and "Look 54" not in page_two.content.decode()


def test_every_search_is_itself_audited(client, auditor, history):
    client.force_login(auditor)
    search(client, person_id=str(history["person_a"]))
    event = AuditEvent.objects.filter(action="search").get()
    assert event.actor == auditor and event.actor_role == "auditor"
    assert event.subject_person_id == history["person_a"]
    assert event.object_type == "audit.AuditEvent"


@pytest.mark.parametrize("criteria, field, message", [
    ({"date_from": "31/02/2026"}, "date_from", "Date from must be a real date"),
    ({"date_to": "yesterday"}, "date_to", "Date to must be a real date"),
    ({"date_from": "2026-03-09", "date_to": "2026-03-01"}, "date_to",
     "Date to must be the same as or after date from"),
    ({"person_id": "Elizabeth"}, "person_id", "Enter a person ID"),
    ({"user": "nobody-here"}, "user", "No user has that username or user ID"),
])
def test_bad_input_is_explained_next_to_the_field_and_in_the_summary(client, auditor, criteria, field, message):
    client.force_login(auditor)
    response = client.post(SEARCH, {**EMPTY_SEARCH, **criteria})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert f'href="#id_{field}"' in page
    assert f'id="id_{field}-error"' in page and message in page
    assert "<title>Error: " in page
    assert not AuditEvent.objects.filter(action="search").exists()


@pytest.mark.parametrize("role", ["response_officer", "administrator", "analyst", "partner_practitioner"])
def test_only_auditors_may_search(client, user_with_role, role):
    client.force_login(user_with_role(role=role))
    assert client.get(SEARCH).status_code == 403
    assert client.post(SEARCH, EMPTY_SEARCH).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in (SEARCH, VERIFY):
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:sign-in") in response["Location"]


@pytest.mark.parametrize("role", ["auditor", "administrator"])
def test_auditors_and_administrators_verify_the_chain(client, user_with_role, role):
    audit_record(action="consultation")
    client.force_login(user_with_role(role=role))
    assert client.get(VERIFY).status_code == 200
    response = client.post(VERIFY)
    checked = AuditEvent.objects.count()  # the consultation, plus the sign-in that force_login records
    assert "Audit chain intact" in response.content.decode()
    assert f"{checked} events checked" in response.content.decode()


def test_the_verify_page_names_the_broken_event(client, auditor):
    from tests.audit.test_verify_command import behind_the_applications_back

    for _ in range(3):
        audit_record(action="consultation")
    behind_the_applications_back("UPDATE audit_auditevent SET reason = %s WHERE sequence = 2", ["Curiosity"])
    client.force_login(auditor)
    page = client.post(VERIFY).content.decode()
    assert "Audit chain broken at event #2" in page and "Hash mismatch" in page


def test_other_roles_may_not_verify(client, officer):
    client.force_login(officer)
    assert client.post(VERIFY).status_code == 403
