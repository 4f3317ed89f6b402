"""A partner refers a victim by name (the IDVA heard of the abuse first; the police may hold nothing on
her): the victim and the named perpetrator become new person records, the referral reaches the agenda,
and a mistake saves nothing at all, not even the names."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from vigil.audit.models import AuditEvent
from vigil.marac import services
from vigil.marac.models import MaracReferral
from vigil.people.models import Person, PersonRecord

pytestmark = pytest.mark.django_db

URL = reverse("marac:referral-new-victim")


@pytest.fixture
def world():
    today = timezone.localdate()
    idva = factories.agency_create(code="idva", kind="idva", name="IDVA service")
    area = factories.marac_area_create(anchor_date=today + timedelta(days=14), member_agencies=[idva])
    coordinator = factories.user_create(role="marac_coordinator")
    services.meetings_schedule(area=area, start=today, until=today + timedelta(days=60), by=coordinator)
    return dict(today=today, area=area, coordinator=coordinator,
                partner=factories.user_create(role="partner_practitioner", agency=idva))


def form(world, **changes) -> dict:
    data = {"victim_given_name": "Nadia", "victim_family_name": "Newcomer", "victim_date_of_birth": "1990-04-02",
            "perpetrator_given_name": "Paul", "perpetrator_family_name": "Perpetual",
            "perpetrator_date_of_birth": "", "area": world["area"].code, "received_on": world["today"].isoformat(),
            "criteria": ["professional_judgement"],
            "judgement_reason": "Strangled last week, told the IDVA he will kill her if she leaves",
            "victim_aware": "yes", "victim_consents": "yes", "idva_referral_made": "yes"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_a_partner_refers_a_victim_by_name_and_the_referral_reaches_the_next_agenda(client, world):
    client.force_login(world["partner"])
    assert "refer someone by name" in client.get(reverse("marac:referral-new")).content.decode()
    assert client.get(URL).status_code == 200

    response = client.post(URL, form(world))

    referral = MaracReferral.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("marac:referral",
                                                                            args=[referral.public_id])
    victim_record = referral.victim.records.get()
    assert (victim_record.given_name, victim_record.family_name) == ("Nadia", "Newcomer")
    assert str(victim_record.date_of_birth) == "1990-04-02"
    assert referral.perpetrator.records.get().family_name == "Perpetual"
    assert referral.referring_agency.code == "idva" and referral.meeting is not None
    page = client.get(reverse("marac:referral", args=[referral.public_id])).content.decode()
    assert "Nadia Newcomer" in page
    assert AuditEvent.objects.filter(action="collection", subject_person_id=referral.victim.public_id,
                                     detail__step="marac referral").exists()
    client.force_login(world["coordinator"])
    assert "Nadia Newcomer" in client.get(reverse("marac:referrals")).content.decode()


def test_the_perpetrator_may_be_unknown(client, world):
    client.force_login(world["partner"])
    response = client.post(URL, form(world, perpetrator_given_name="", perpetrator_family_name=""))
    assert response.status_code == 302
    assert MaracReferral.objects.get().perpetrator is None
    assert PersonRecord.objects.count() == 1


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"victim_family_name": ""}, "victim_family_name", "Enter the victim&#x27;s family name"),
    ({"perpetrator_family_name": ""}, "perpetrator_family_name", "Enter the perpetrator&#x27;s family name"),
    ({"victim_date_of_birth": "31/02/1990"}, "victim_date_of_birth", "Enter the date as a real date"),
    ({"criteria": []}, "criteria", ""),
    ({"victim_consents": "no", "reason_without_consent": ""}, "reason_without_consent", "Give the reason"),
])
def test_a_mistake_saves_nothing_and_keeps_what_was_typed(client, world, changes, field, message):
    client.force_login(world["partner"])

    response = client.post(URL, form(world, **changes))

    page = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in page
    assert f'href="#id_{field}"' in page and message in page
    assert 'value="Nadia"' in page or field == "victim_given_name"
    assert PersonRecord.objects.count() == 0 and Person.objects.count() == 0
    assert MaracReferral.objects.count() == 0


def test_roles_that_do_not_refer_cannot_use_the_form(client, world):
    client.force_login(factories.user_create(role="call_taker"))
    assert client.get(URL).status_code == 403
    assert client.post(URL, form(world)).status_code == 403
    assert PersonRecord.objects.count() == 0
