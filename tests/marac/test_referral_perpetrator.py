"""The perpetrator on a MARAC referral: the form offers the suspects on the victim's domestic abuse incidents
(police) or the perpetrators named on the victim's shared referrals (partners), "Not known" allowed, never
the victim; the referral page, the agenda, the printed pack and the API show who it is."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests import factories
from vigil.audit.models import AuditEvent
from vigil.marac import services
from vigil.marac.models import MaracReferral

pytestmark = pytest.mark.django_db

REASON = "Threats to kill made last week and the victim is very frightened"


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def world():
    """Vera Victim, twice the victim of Sid Suspect (the second time on a record of a person later merged
    into Sid), once the suspect in his counter-allegation; Sam Stranger is a suspect on someone else's
    incident. A meeting last week, whose cut-off the referral meets, invites the IDVA service."""
    today = timezone.localdate()
    last_week = factories.working_day_a_week_ago(today)
    now = timezone.now()
    idva = factories.agency_create(code="idva", kind="idva", name="IDVA service")
    marac = factories.marac_area_create(anchor_date=last_week, member_agencies=[idva])
    meeting = factories.marac_meeting_create(area=marac, held_on=last_week, agencies=[idva])
    vera = factories.person_record_create(given_name="Vera", family_name="Victim")
    sid = factories.person_record_create(given_name="Sid", family_name="Suspect")
    factories.incident_create(victim=vera, suspect=sid, received_at=now - timedelta(days=60))
    duplicate = factories.person_record_create(given_name="Sidney", family_name="Suspect")
    duplicate.person.merged_into = sid.person
    duplicate.person.save(update_fields=["merged_into"])
    factories.incident_create(victim=factories.person_record_create(given_name="Vera", family_name="Victim",
                                                                    person=vera.person),
                              suspect=duplicate, received_at=now - timedelta(days=30))
    factories.incident_create(victim=factories.person_record_create(given_name="Sid", family_name="Suspect",
                                                                    person=sid.person),
                              suspect=factories.person_record_create(given_name="Vera", family_name="Victim",
                                                                     person=vera.person),
                              received_at=now - timedelta(days=29))
    stranger = factories.person_record_create(given_name="Sam", family_name="Stranger")
    factories.incident_create(victim=factories.person_record_create(given_name="Olive", family_name="Other"),
                              suspect=stranger, received_at=now - timedelta(days=10))
    return dict(today=today, idva=idva, marac=marac, meeting=meeting, victim=vera.person, sid=sid.person,
                duplicate=duplicate.person, stranger=stranger.person,
                officer=factories.user_create(role="specialist_investigator"),
                coordinator=factories.user_create(role="marac_coordinator"),
                partner=factories.user_create(role="partner_practitioner", agency=idva))


def form_url(person) -> str:
    return reverse("marac:referral-new") + f"?person={person.public_id}"


def referral_post(world, **changes) -> dict:
    data = {"area": world["marac"].code, "received_on": (world["today"] - timedelta(days=20)).isoformat(),
            "criteria": ["professional_judgement"], "judgement_reason": REASON, "victim_aware": "yes",
            "victim_consents": "yes", "idva_referral_made": "no"}
    data.update(changes)
    return data


def test_the_police_form_offers_the_victims_suspects_and_not_known_but_not_the_victim_or_strangers(client, world):
    client.force_login(world["officer"])

    page = text(client.get(form_url(world["victim"])))

    assert '<option value="">Not known</option>' in page
    assert f'<option value="{world["sid"].public_id}">Sid Suspect' in page
    assert "suspect on 2 domestic abuse incidents with the victim" in page  # the merged record counts as Sid
    assert str(world["duplicate"].public_id) not in page
    assert f'<option value="{world["victim"].public_id}"' not in page  # the counter-allegation
    assert "Sam Stranger" not in page
    offered = AuditEvent.objects.filter(actor=world["officer"], subject_person_id=world["sid"].public_id,
                                        detail__view="marac referral form perpetrator choices")
    assert offered.count() == 1


def test_the_chosen_perpetrator_is_recorded_and_shown_on_the_referral_agenda_print_and_api(client, world):
    client.force_login(world["officer"])

    response = client.post(form_url(world["victim"]), referral_post(world, perpetrator=str(world["sid"].public_id)))

    referral = MaracReferral.objects.get(victim=world["victim"])
    assert response.status_code == 302 and referral.perpetrator == world["sid"]
    assert AuditEvent.objects.filter(object_id=str(referral.public_id), action="collection",
                                     subject_person_id=world["sid"].public_id).exists()
    page = text(client.get(reverse("marac:referral", args=[referral.public_id])))
    assert '<dd class="govuk-summary-list__value" id="perpetrator">Sid Suspect</dd>' in page

    client.force_login(world["partner"])  # the IDVA is invited to the meeting that hears the case
    agenda = text(client.get(reverse("marac:meeting", args=[world["meeting"].public_id])))
    assert "Case 1: Vera Victim" in agenda and "Perpetrator: Sid Suspect." in agenda
    assert AuditEvent.objects.filter(actor=world["partner"], object_id=str(world["meeting"].public_id),
                                     subject_person_id=world["sid"].public_id, detail__view="marac agenda").exists()
    printed = text(client.get(reverse("marac:meeting-print", args=[world["meeting"].public_id])))
    assert "Perpetrator: Sid Suspect." in printed
    api = APIClient()
    api.force_login(world["partner"])
    detail = api.get(reverse("api:marac-referral", args=[referral.public_id])).json()
    assert detail["perpetrator"] == str(world["sid"].public_id)


def test_not_known_leaves_the_perpetrator_empty_and_says_so(client, world):
    client.force_login(world["officer"])

    assert client.post(form_url(world["victim"]), referral_post(world, perpetrator="")).status_code == 302

    referral = MaracReferral.objects.get(victim=world["victim"])
    assert referral.perpetrator is None
    page = text(client.get(reverse("marac:referral", args=[referral.public_id])))
    assert '<dd class="govuk-summary-list__value" id="perpetrator">Not known</dd>' in page
    client.force_login(world["coordinator"])
    assert "Perpetrator: not known." in text(client.get(reverse("marac:meeting", args=[world["meeting"].public_id])))


def test_the_victim_cannot_be_the_perpetrator(client, world):
    client.force_login(world["officer"])

    response = client.post(form_url(world["victim"]),
                           referral_post(world, perpetrator=str(world["victim"].public_id)))

    assert response.status_code == 400
    page = text(response)
    assert "There is a problem" in page and "The perpetrator cannot be the victim" in page
    assert 'href="#id_perpetrator"' in page and REASON in page  # the rest of what was typed is kept
    assert not MaracReferral.objects.exists()
    with pytest.raises(ValidationError) as raised:
        services.referral_create(area=world["marac"], victim=world["victim"], perpetrator=world["victim"],
                                 by=world["officer"], received_on=world["today"], criteria=["professional_judgement"],
                                 judgement_reason=REASON, victim_aware=True, victim_consents=True)
    assert raised.value.message_dict["perpetrator"] == ["The perpetrator cannot be the victim"]
    assert not MaracReferral.objects.exists()


def test_a_person_not_offered_cannot_be_posted_as_the_perpetrator(client, world):
    client.force_login(world["officer"])

    response = client.post(form_url(world["victim"]),
                           referral_post(world, perpetrator=str(world["stranger"].public_id)))

    assert response.status_code == 400 and "Choose the perpetrator from the list" in text(response)
    assert not MaracReferral.objects.exists()


def test_a_partner_is_offered_only_perpetrators_named_on_referrals_shared_with_them(client, world):
    """The police's suspects are not shared with partners; a perpetrator named on a shared referral is."""
    client.force_login(world["partner"])
    factories.marac_referral_create(area=world["marac"], victim=world["victim"], meeting=world["meeting"],
                                    received_on=world["today"] - timedelta(days=40))
    page = text(client.get(form_url(world["victim"])))
    assert "Sid Suspect" not in page and '<option value="">Not known</option>' in page

    factories.marac_referral_create(area=world["marac"], victim=world["victim"], meeting=world["meeting"],
                                    perpetrator=world["sid"], received_on=world["today"] - timedelta(days=30))
    page = text(client.get(form_url(world["victim"])))
    assert f'<option value="{world["sid"].public_id}">Sid Suspect' in page
    assert "named as the perpetrator on the MARAC referral of" in page
