"""The board's pages: who may see them, acknowledging by form and by htmx, the audit of each look."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import incident_create, person_record_create, user_create
from vigil.audit.models import AuditEvent
from vigil.checks.board import board_refresh
from vigil.checks.models import BoardAcknowledgement
from vigil.incidents.models import Incident

pytestmark = pytest.mark.django_db


def open_incident(**facts):
    incident = incident_create(received_at=timezone.now() - timedelta(minutes=10),
                               victim=person_record_create(given_name="Zebedee", family_name="Quill"))
    Incident.objects.filter(pk=incident.pk).update(status=Incident.Status.OPEN, **facts)
    incident.refresh_from_db()
    board_refresh(incident=incident)
    return incident


@pytest.fixture
def supervisor(client):
    user = user_create(role="control_room_supervisor")
    client.force_login(user)
    return user


def acknowledge_url(incident) -> str:
    return reverse("control:board-acknowledge", args=[incident.public_id])


def test_a_supervisor_sees_the_board_with_reasons_and_no_names(client, supervisor):
    incident = open_incident(weapons=True)
    response = client.get(reverse("control:board"))
    assert response.status_code == 200
    page = response.content.decode()
    assert incident.reference in page
    assert "Caller says weapons are involved" in page
    assert "1 incident needs acknowledgement" in page
    assert 'aria-live="polite"' in page
    assert reverse("control:officer-brief", args=[incident.public_id]) in page
    assert f'hx-get="{reverse("control:board-rows")}"' in page and 'hx-trigger="every 10s"' in page
    assert "Zebedee" not in page and "Quill" not in page


def test_each_look_at_the_board_is_audited_once(client, supervisor):
    open_incident(weapons=True)
    open_incident()
    before = AuditEvent.objects.count()
    client.get(reverse("control:board"))
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-sequence").first()
    assert (event.action, event.object_type, event.actor) == ("consultation", "checks.Board", supervisor)
    assert event.detail == {"incidents": 2, "need_acknowledgement": 1}


def test_the_rows_fragment_updates_the_count_out_of_band(client, supervisor):
    incident = open_incident(children_present=True)
    response = client.get(reverse("control:board-rows"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    fragment = response.content.decode()
    assert "<html" not in fragment
    assert incident.reference in fragment and "Children present" in fragment
    assert 'hx-swap-oob="innerHTML:#board-count"' in fragment
    assert "1 incident needs acknowledgement" in fragment


def test_acknowledging_by_form_redirects_to_the_board(client, supervisor):
    incident = open_incident(weapons=True)
    response = client.post(acknowledge_url(incident), {"codes": ["weapons"]})
    assert response.status_code == 302 and response["Location"] == reverse("control:board")
    ack = BoardAcknowledgement.objects.get(incident=incident)
    assert (ack.codes, ack.acknowledged_by) == (["weapons"], supervisor)
    page = client.get(reverse("control:board")).content.decode()
    assert "No incidents need acknowledgement" in page
    assert f"{incident.reference} acknowledged" in page


def test_acknowledging_by_htmx_returns_the_rows(client, supervisor):
    incident = open_incident(weapons=True)
    response = client.post(acknowledge_url(incident), {"codes": ["weapons"]}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    fragment = response.content.decode()
    assert "No incidents need acknowledgement" in fragment
    assert "Last acknowledged by" in fragment
    assert acknowledge_url(incident) not in fragment, "no button once acknowledged"


def test_acknowledging_an_incident_no_longer_on_the_board_explains(client, supervisor):
    incident = open_incident(weapons=True)
    Incident.objects.filter(pk=incident.pk).update(status=Incident.Status.CLOSED)
    response = client.post(acknowledge_url(incident), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "not on the board" in response.content.decode()
    assert not BoardAcknowledgement.objects.exists()
    response = client.post(acknowledge_url(incident), follow=True)
    assert "not on the board" in response.content.decode()


def test_acknowledge_answers_post_only(client, supervisor):
    incident = open_incident(weapons=True)
    assert client.get(acknowledge_url(incident)).status_code == 405
    assert not BoardAcknowledgement.objects.exists()


def test_acknowledge_needs_the_csrf_token(supervisor):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(supervisor)
    incident = open_incident(weapons=True)
    assert csrf_client.post(acknowledge_url(incident)).status_code == 403
    assert not BoardAcknowledgement.objects.exists()


def test_an_unknown_incident_is_not_found(client, supervisor):
    incident = open_incident(weapons=True)
    Incident.objects.filter(pk=incident.pk).delete()
    assert client.post(acknowledge_url(incident)).status_code == 404


@pytest.mark.parametrize("name", ["control:board", "control:board-rows"])
def test_a_call_taker_may_not_see_the_board(client, name):
    client.force_login(user_create(role="call_taker"))
    assert client.get(reverse(name)).status_code == 403


def test_a_call_taker_may_not_acknowledge(client):
    incident = open_incident(weapons=True)
    client.force_login(user_create(role="call_taker"))
    assert client.post(acknowledge_url(incident)).status_code == 403
    assert client.get(acknowledge_url(incident)).status_code == 403
    assert not BoardAcknowledgement.objects.exists()


def test_anyone_signed_out_is_sent_to_sign_in(client):
    response = client.get(reverse("control:board"))
    assert response.status_code == 302 and "/sign-in/" in response["Location"]
