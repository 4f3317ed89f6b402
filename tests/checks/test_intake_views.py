"""The call taker's screen over HTTP: autosave, the no-JavaScript path, the address look-up, the brief."""

import pytest
from django.urls import reverse

from tests.factories import address_create, incident_create, person_record_create, user_create
from vigil.incidents.models import Incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def call_taker():
    return user_create(role="call_taker")


@pytest.fixture
def call(client, call_taker):
    client.force_login(call_taker)
    response = client.post(reverse("control:call-start"), {"channel": "999"})
    assert response.status_code == 302
    return Incident.objects.get(recorded_by=call_taker)


def test_autosave_answers_what_was_saved_and_what_needs_correcting(client, call):
    response = client.post(reverse("control:call-autosave", args=[call.public_id]),
                           {"summary": "Screaming next door", "caller_phone": "12", "weapons": "yes"})
    body = response.json()
    assert response.status_code == 400
    assert body["saved"] == ["summary", "weapons"]
    assert list(body["errors"]) == ["caller_phone"]
    call.refresh_from_db()
    assert call.summary == "Screaming next door" and call.weapons is True


def test_autosave_says_when_the_history_should_be_looked_up_again(client, call):
    response = client.post(reverse("control:call-autosave", args=[call.public_id]), {"caller_phone": "07700 900123"})
    assert response.json()["history_changed"] is True
    response = client.post(reverse("control:call-autosave", args=[call.public_id]), {"summary": "x"})
    assert response.json()["history_changed"] is False


def test_without_javascript_the_whole_form_saves_and_keeps_good_values_on_error(client, call):
    response = client.post(reverse("control:call-intake", args=[call.public_id]),
                           {"action": "save", "summary": "Kept", "postcode": "nonsense"})
    assert response.status_code == 400
    assert "Enter a full UK postcode" in response.content.decode()
    call.refresh_from_db()
    assert call.summary == "Kept"


def test_submitting_a_call_opens_it_and_shows_the_officers_brief(client, call):
    client.post(reverse("control:call-person-add", args=[call.public_id]),
                {"person-role": "victim", "person-given_name": "Vera"})
    response = client.post(reverse("control:call-intake", args=[call.public_id]),
                           {"action": "submit", "is_domestic_abuse": "yes", "location_text": "Park",
                            "response_grade": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("control:officer-brief", args=[call.public_id])
    call.refresh_from_db()
    assert call.status == "open"


def test_the_address_look_up_finds_houses_at_a_postcode(client, call):
    address_create(line1="12 Example Road", postcode="LE1 6ZZ")
    address_create(line1="112 Example Road", postcode="LE1 6ZZ")
    response = client.get(reverse("control:address-lookup"), {"postcode": "le16zz", "house": "12"})
    page = response.content.decode()
    assert "12 Example Road" in page and "112 Example Road" not in page
    bad = client.get(reverse("control:address-lookup"), {"postcode": "zz", "house": "12"})
    assert bad.status_code == 400 and "Enter a full UK postcode" in bad.content.decode()


def test_the_intake_page_shows_the_history_of_the_chosen_address(client, call):
    address = address_create()
    incident_create(address=address, victim=person_record_create(given_name="Vera"))
    client.post(reverse("control:call-autosave", args=[call.public_id]), {"address_choice": str(address.public_id)})
    page = client.get(reverse("control:call-intake", args=[call.public_id])).content.decode()
    assert "1 previous incident " in page and "Vera Example" in page


def test_another_call_takers_call_is_not_found(client, call):
    client.force_login(user_create(role="call_taker"))
    assert client.get(reverse("control:call-intake", args=[call.public_id])).status_code == 404
    assert client.post(reverse("control:call-autosave", args=[call.public_id]), {"summary": "x"}).status_code == 404


def test_a_response_officer_sees_the_brief_of_an_open_incident_but_not_an_old_closed_one(client):
    officer = user_create(role="response_officer")
    client.force_login(officer)
    open_one = incident_create(status="open")
    closed = incident_create(status="closed")
    assert client.get(reverse("control:officer-brief", args=[open_one.public_id])).status_code == 200
    assert client.get(reverse("control:officer-brief", args=[closed.public_id])).status_code == 404
    Incident.objects.filter(pk=closed.pk).update(attending_officer=officer)
    assert client.get(reverse("control:officer-brief", args=[closed.public_id])).status_code == 200


def test_the_check_queue_shows_each_role_its_own_checks(client, call):
    client.post(reverse("control:call-person-add", args=[call.public_id]),
                {"person-role": "victim", "person-given_name": "Vera"})
    client.post(reverse("control:call-intake", args=[call.public_id]),
                {"action": "submit", "is_domestic_abuse": "yes", "location_text": "Park", "response_grade": "1"})
    client.force_login(user_create(role="dispatcher"))
    page = client.get(reverse("control:checks")).content.decode()
    assert "Firearms licensing" in page and "Children&#x27;s services flag" not in page
    client.force_login(user_create(role="intelligence_researcher"))
    page = client.get(reverse("control:checks")).content.decode()
    assert "Children&#x27;s services flag" in page and "Firearms licensing" not in page
