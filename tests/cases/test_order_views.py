"""The order pages: record (errors keep what was entered), the case page's section, end, vary, breach."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from tests import factories
from vigil.cases import order_services
from vigil.cases.models import Breach, ProtectiveOrder, Task

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def case(client):
    victim = factories.person_record_create(given_name="Vera", family_name="Protected",
                                            address=factories.address_create())
    suspect = factories.person_record_create(given_name="Sam", family_name="Restricted")
    incident = factories.incident_create(victim=victim, suspect=suspect, received_at=T0 - timedelta(days=1))
    case = factories.case_create(victim=victim, incident=incident)
    case.suspect = suspect
    client.force_login(case.owner)
    return case


def dvpn_form(case, **changes):
    form = {"kind": "dvpn", "restricted_person": str(case.suspect.public_id), "protected": [str(case.victim.public_id)],
            "conditions": "No contact\nNot to enter 12 Example Road", "authorised_rank": "superintendent",
            "authorised_by": "A Senior", "starts_at-day": "26", "starts_at-month": "12", "starts_at-year": "2026",
            "starts_at-time": "13:30", "served_at-day": "26", "served_at-month": "12", "served_at-year": "2026",
            "served_at-time": "14:00"}
    form.update(changes)
    return form


def test_recording_a_dvpn_through_the_page(client, case):
    url = reverse("cases:order-record", args=[case.public_id])
    assert client.get(url).status_code == 200
    response = client.post(url, dvpn_form(case))
    assert response.status_code == 302
    notice = ProtectiveOrder.objects.get()
    assert notice.authorised_by == "Superintendent A Senior"
    task = Task.objects.get(key=order_services.dvpo_application_key(notice))
    assert task.due_at == datetime(2026, 12, 31, 0, 0, tzinfo=UTC)
    page = client.get(reverse("cases:case", args=[case.public_id])).content.decode()
    assert "Domestic violence protection notice" in page and "Not to enter 12 Example Road" in page


def test_a_rank_too_low_is_refused_and_everything_entered_is_kept(client, case):
    response = client.post(reverse("cases:order-record", args=[case.public_id]),
                           dvpn_form(case, authorised_rank="inspector"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "superintendent or above" in page
    assert "Not to enter 12 Example Road" in page and 'value="A Senior"' in page and 'value="14:00"' in page
    assert not ProtectiveOrder.objects.exists()


def test_a_date_that_is_not_real_is_an_error_on_the_page(client, case):
    response = client.post(reverse("cases:order-record", args=[case.public_id]),
                           dvpn_form(case, **{"starts_at-month": "13"}))
    assert response.status_code == 400
    assert "must be a real date" in response.content.decode()


def test_end_vary_and_breach_pages(client, case):
    order = order_services.order_record(case=case, by=case.owner, kind="restraining", restricted_person=case.suspect,
                                        starts_at=T0, conditions=["No contact"], now=T0)
    response = client.post(reverse("cases:order-vary", args=[order.public_id]),
                           {"conditions": "No contact at all", "reason": "short"})
    assert response.status_code == 400 and "No contact at all" in response.content.decode()
    response = client.post(reverse("cases:order-vary", args=[order.public_id]),
                           {"conditions": "No contact at all", "reason": "Varied at the review hearing"})
    assert response.status_code == 302
    incident = factories.incident_create(received_at=T0 + timedelta(days=2))
    response = client.post(reverse("cases:breach-record", args=[order.public_id]),
                           {"incident": "NOPE-1", "description": "Texts"})
    assert response.status_code == 400 and "no incident with that reference" in response.content.decode()
    response = client.post(reverse("cases:breach-record", args=[order.public_id]),
                           {"incident": incident.reference, "description": "Sent texts"})
    assert response.status_code == 302 and Breach.objects.filter(order=order).exists()
    assert "Sent texts" in client.get(reverse("cases:case", args=[case.public_id])).content.decode()
    response = client.post(reverse("cases:order-end", args=[order.public_id]),
                           {"outcome": "revoked", "reason": "Revoked on appeal to the Crown Court"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == ProtectiveOrder.Status.REVOKED


@pytest.mark.parametrize("role", ["marac_coordinator", "call_taker", "partner_practitioner"])
def test_roles_that_do_not_work_cases_may_not_record_orders(client, case, role):
    agency = factories.agency_create(code="idva", kind="idva") if role == "partner_practitioner" else None
    client.force_login(factories.user_create(role=role, agency=agency))
    response = client.post(reverse("cases:order-record", args=[case.public_id]), dvpn_form(case))
    assert response.status_code == 403
    assert not ProtectiveOrder.objects.exists()
