"""The referral pages: sending (an override without a reason keeps the form), and acknowledging, which a
partner agency's practitioner may do only for referrals to their own agency (404 otherwise, nothing changed)."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tests import factories
from vigil.cases import referral_services
from vigil.cases.models import Referral, Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(client):
    victim = factories.person_record_create(given_name="Vera", family_name="Referred")
    incident = factories.incident_create(victim=victim, received_at=datetime(2026, 12, 1, 9, tzinfo=UTC))
    case = factories.case_create(victim=victim, incident=incident)
    client.force_login(case.owner)
    return case


@pytest.fixture
def idva():
    return factories.agency_create(code="idva-service", kind="idva", name="County IDVA Service")


def test_an_override_without_a_reason_keeps_what_was_entered(client, case, idva):
    url = reverse("cases:referral-send", args=[case.public_id])
    assert client.get(url).status_code == 200
    form = {"kind": "childrens_services", "agency": "", "recipient": "City children's services",
            "consent": "overridden", "override_reason": "", "detail": "Two children present"}
    response = client.post(url, form)
    assert response.status_code == 400
    page = response.content.decode()
    assert "reason for referring without the victim" in page and "Two children present" in page
    assert not Referral.objects.exists()
    form["override_reason"] = "Children at risk of significant harm"
    assert client.post(url, form).status_code == 302
    page = client.get(reverse("cases:case", args=[case.public_id])).content.decode()
    assert "City children&#x27;s services" in page and "Children at risk of significant harm" in page


def test_a_partner_acknowledges_their_agencys_referral_and_gets_404_for_another(client, case, idva):
    ours = referral_services.referral_send(case=case, by=case.owner, kind="idva", consent="given", agency=idva)
    housing = factories.agency_create(code="housing", kind="housing", name="Housing Options")
    theirs = referral_services.referral_send(case=case, by=case.owner, kind="housing", consent="given",
                                             agency=housing)
    partner = factories.user_create(role="partner_practitioner", agency=idva)
    client.force_login(partner)
    listing = client.get(reverse("cases:referrals-received")).content.decode()
    assert str(ours.public_id) in listing and str(theirs.public_id) not in listing
    url = reverse("cases:referral-acknowledge", args=[theirs.public_id])
    assert client.get(url).status_code == 404
    assert client.post(url, {"acknowledged_by": "Someone else, ref 9"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.acknowledged_at is None
    assert Task.objects.get(key=referral_services.ack_key(theirs)).status == Task.Status.OPEN
    assert client.get(reverse("cases:case", args=[case.public_id])).status_code == 403
    url = reverse("cases:referral-acknowledge", args=[ours.public_id])
    assert client.post(url, {"acknowledged_by": ""}).status_code == 400
    assert client.post(url, {"acknowledged_by": "IDVA duty desk, ref 42"}).status_code == 302
    ours.refresh_from_db()
    assert ours.acknowledged_by == "IDVA duty desk, ref 42"
