"""The Clare's Law pages: the open requests with days left (overdue first), receiving, stages, decision."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from vigil.cases import disclosure_services
from vigil.cases.models import DisclosureRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler(client):
    user = factories.user_create(role="specialist_investigator", teams=[factories.team_create(kind="specialist")])
    client.force_login(user)
    return user


def test_receiving_a_request_and_taking_it_to_a_decision(client, handler):
    url = reverse("cases:disclosure-receive")
    response = client.post(url, {"route": "ask", "victim_given_name": "Vera", "victim_family_name": "",
                                 "subject_given_name": "Sam", "subject_family_name": "Partner"})
    assert response.status_code == 400 and 'value="Sam"' in response.content.decode()
    response = client.post(url, {"route": "ask", "victim_given_name": "Vera", "victim_family_name": "Asking",
                                 "subject_given_name": "Sam", "subject_family_name": "Partner",
                                 "immediate_risk": "yes"})
    assert response.status_code == 302
    dr = DisclosureRequest.objects.get()
    detail = reverse("cases:disclosure", args=[dr.public_id])
    assert "Immediate risk" in client.get(detail).content.decode()
    for stage in (2, 3, 4):
        assert client.post(reverse("cases:disclosure-stage", args=[dr.public_id]), {"to_stage": stage}).status_code == 302
    decide = reverse("cases:disclosure-decide", args=[dr.public_id])
    response = client.post(decide, {"decision": "disclose", "disclosed_to": "", "safety_plan": "IDVA referral",
                                    "reason": "Convictions for violence against partners"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "best placed to protect" in page and "IDVA referral" in page
    response = client.post(decide, {"decision": "disclose", "disclosed_to": "Vera Asking", "safety_plan": "IDVA referral",
                                    "reason": "Convictions for violence against partners"})
    assert response.status_code == 302
    dr.refresh_from_db()
    assert dr.decision == "disclose" and dr.stage == 5


def test_a_stage_out_of_order_is_refused_on_the_page(client, handler):
    dr = disclosure_services.disclosure_request_receive(by=handler, route="know", victim_family_name="Known",
                                                        subject_family_name="Subject")
    response = client.post(reverse("cases:disclosure-stage", args=[dr.public_id]), {"to_stage": 4})
    assert response.status_code == 400 and "taken in order" in response.content.decode()


def test_the_list_shows_overdue_requests_first_with_days_left(client, handler):
    now = timezone.now()
    late = disclosure_services.disclosure_request_receive(by=handler, route="ask", victim_family_name="Late",
                                                          subject_family_name="S", now=now - timedelta(days=31))
    fresh = disclosure_services.disclosure_request_receive(by=handler, route="ask", victim_family_name="Fresh",
                                                           subject_family_name="S", now=now)
    page = client.get(reverse("cases:disclosures")).content.decode()
    assert page.index(late.reference) < page.index(fresh.reference)
    assert "Overdue by 3 days" in page


def test_officers_who_do_not_handle_disclosures_are_refused(client):
    client.force_login(factories.user_create(role="response_officer"))
    assert client.get(reverse("cases:disclosures")).status_code == 403
