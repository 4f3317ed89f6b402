"""Answering a request for information another agency holds: the holding agency lists the requests addressed
to it and answers one (shares, or declines saying why); the answer reaches the asking agency on the referral
page and is audited as a disclosure with the asker's reason. Anyone else opening the request gets 404, and
the attempt is audited."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from tests import factories
from vigil.audit.models import AuditEvent
from vigil.marac import services
from vigil.marac.models import MaracInformationRequest, MaracResearch

pytestmark = pytest.mark.django_db

WHY = "Safety planning at the refuge needs the tenancy history"
HELD = "Tenancy since 2021; two reports of damage to the front door"


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def world():
    """A meeting next week that invites the IDVA service and Housing; a referral of Vera Victim on its
    agenda; Housing's research about her; the IDVA service has asked Housing for it. Health is a partner
    that is not invited."""
    today = timezone.localdate()
    idva = factories.agency_create(code="idva", kind="idva", name="IDVA service")
    housing = factories.agency_create(code="housing", kind="housing", name="Housing")
    health = factories.agency_create(code="health", kind="health", name="Health")
    marac = factories.marac_area_create(member_agencies=[idva, housing])
    meeting = factories.marac_meeting_create(area=marac, held_on=today + timedelta(days=7), agencies=[idva, housing])
    coordinator = factories.user_create(role="marac_coordinator")
    victim = factories.person_record_create(given_name="Vera", family_name="Victim").person
    referral = factories.marac_referral_create(area=marac, victim=victim, meeting=meeting, by=coordinator,
                                               received_on=today - timedelta(days=3))
    housing_officer = factories.user_create(role="partner_practitioner", agency=housing)
    MaracResearch.objects.create(referral=referral, agency=housing, author=housing_officer, text=HELD,
                                 added_at=timezone.now() - timedelta(days=1))
    advocate = factories.user_create(role="partner_practitioner", agency=idva)
    asked = services.information_request_create(person=victim, holding_agency=housing, by=advocate, reason=WHY,
                                                referral=referral)
    return dict(today=today, idva=idva, housing=housing, health=health, marac=marac, meeting=meeting,
                coordinator=coordinator, victim=victim, referral=referral, housing_officer=housing_officer,
                advocate=advocate, asked=asked,
                nurse=factories.user_create(role="partner_practitioner", agency=health))


def answer_url(asked) -> str:
    return reverse("marac:information-request-answer", args=[asked.public_id])


# --- the holding agency's list ----------------------------------------------------------------------------

def test_the_holding_agency_lists_the_request_with_who_asked_and_why_and_the_look_is_audited(client, world):
    client.force_login(world["housing_officer"])

    page = text(client.get(reverse("marac:information-requests")))

    assert "Vera Victim" in page and "IDVA service" in page and WHY in page
    assert answer_url(world["asked"]) in page
    assert AuditEvent.objects.filter(actor=world["housing_officer"], action="consultation",
                                     subject_person_id=world["victim"].public_id,
                                     detail__view="marac information requests to the agency").exists()


def test_other_agencies_do_not_see_a_request_addressed_to_someone_else_in_their_list(client, world):
    for user in ("advocate", "nurse", "coordinator"):
        client.force_login(world[user])
        page = text(client.get(reverse("marac:information-requests")))
        assert "Vera Victim" not in page and answer_url(world["asked"]) not in page, user


def test_the_list_is_in_the_navigation_for_partners_and_police_who_work_marac_only(client, world):
    link = f'href="{reverse("marac:information-requests")}"'
    for user in ("housing_officer", "coordinator"):
        client.force_login(world[user])
        assert link in text(client.get(reverse("marac:referrals"))), user
    officer = factories.user_create(role="response_officer")
    client.force_login(officer)
    assert link not in text(client.get(reverse("accounts:home")))
    assert client.get(reverse("marac:information-requests")).status_code == 403


def test_the_referral_page_takes_the_holding_agency_to_the_request(client, world):
    client.force_login(world["housing_officer"])

    page = text(client.get(reverse("marac:referral", args=[world["referral"].public_id])))

    assert "Requests to Housing about this case" in page and answer_url(world["asked"]) in page


# --- answering ------------------------------------------------------------------------------------------

def test_the_holding_agency_shares_and_the_answer_reaches_the_asker_as_an_audited_disclosure(client, world):
    client.force_login(world["housing_officer"])
    page = text(client.get(answer_url(world["asked"])))
    assert WHY in page and HELD in page and "Send the answer" in page  # the reason, and what Housing holds

    response = client.post(answer_url(world["asked"]), {"how": "share", "answer": HELD})

    assert response.status_code == 302 and response["Location"] == reverse("marac:information-requests")
    asked = MaracInformationRequest.objects.get(pk=world["asked"].pk)
    assert (asked.status, asked.answer, asked.answered_by) == ("answered", HELD, world["housing_officer"])
    disclosure = AuditEvent.objects.get(action="disclosure", object_id=str(asked.public_id))
    assert (disclosure.actor, disclosure.subject_person_id, disclosure.reason) == (
        world["housing_officer"], world["victim"].public_id, WHY)
    # The asking agency reads the answer on the referral; no longer waiting in Housing's list.
    client.force_login(world["advocate"])
    page = text(client.get(reverse("marac:referral", args=[world["referral"].public_id])))
    assert "to Housing: Answered" in page and HELD in page
    client.force_login(world["housing_officer"])
    page = text(client.get(reverse("marac:information-requests")))
    assert "No requests are waiting for Housing" in page and "answered on" in page


def test_declining_needs_a_reason_and_the_asker_reads_it(client, world):
    client.force_login(world["housing_officer"])

    response = client.post(answer_url(world["asked"]), {"how": "decline", "answer": "No"})

    assert response.status_code == 400
    page = text(response)
    assert "There is a problem" in page and "at least 10 characters" in page
    assert 'value="decline" checked' in page and ">No</textarea>" in page  # what was typed is kept
    assert MaracInformationRequest.objects.get(pk=world["asked"].pk).status == "pending"

    reason = "The tenant's records are held by the council's legal team pending a court case"
    assert client.post(answer_url(world["asked"]), {"how": "decline", "answer": reason}).status_code == 302
    assert MaracInformationRequest.objects.get(pk=world["asked"].pk).status == "declined"
    assert not AuditEvent.objects.filter(action="disclosure").exists()
    assert AuditEvent.objects.filter(object_id=str(world["asked"].public_id), action="alteration",
                                     detail__step="information request declined").exists()
    client.force_login(world["advocate"])
    page = text(client.get(reverse("marac:referral", args=[world["referral"].public_id])))
    assert "to Housing: Declined" in page and reason.replace("'", "&#x27;") in page


def test_an_answer_without_a_choice_or_words_shows_the_error_summary(client, world):
    client.force_login(world["housing_officer"])

    response = client.post(answer_url(world["asked"]), {"answer": "Something typed"})
    assert response.status_code == 400
    page = text(response)
    assert "Say whether you share the information or decline the request" in page and "Something typed" in page

    response = client.post(answer_url(world["asked"]), {"how": "share", "answer": "   "})
    assert response.status_code == 400 and "Give the information" in text(response)


def test_a_request_is_answered_once(client, world):
    client.force_login(world["housing_officer"])
    client.post(answer_url(world["asked"]), {"how": "share", "answer": HELD})

    page = text(client.get(answer_url(world["asked"])))
    assert "Send the answer" not in page and "What was shared" in page

    response = client.post(answer_url(world["asked"]), {"how": "share", "answer": "Something else"})
    assert response.status_code == 400 and "already answered" in text(response)
    assert MaracInformationRequest.objects.get(pk=world["asked"].pk).answer == HELD
    assert AuditEvent.objects.filter(action="disclosure").count() == 1


def test_the_police_answer_a_request_addressed_to_the_force(client, world):
    force_asked = services.information_request_create(
        person=world["victim"], holding_agency=world["coordinator"].agency, by=world["advocate"], reason=WHY)
    specialist = factories.user_create(role="specialist_investigator")
    client.force_login(specialist)
    assert answer_url(force_asked) in text(client.get(reverse("marac:information-requests")))

    response = client.post(answer_url(force_asked), {"how": "share", "answer": "Two call-outs in March"})

    assert response.status_code == 302
    assert MaracInformationRequest.objects.get(pk=force_asked.pk).answered_by == specialist


# --- nobody else ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("user", ["advocate", "nurse", "coordinator"])
def test_anyone_but_the_holding_agency_gets_not_found_and_the_attempt_is_audited(client, world, user):
    """The asker too: it reads the answer on the referral, and must not answer its own request."""
    client.force_login(world[user])

    assert client.get(answer_url(world["asked"])).status_code == 404
    assert client.post(answer_url(world["asked"]), {"how": "share", "answer": "Made up"}).status_code == 404

    assert MaracInformationRequest.objects.get(pk=world["asked"].pk).status == "pending"
    refused = AuditEvent.objects.filter(actor=world[user], object_id=str(world["asked"].public_id),
                                        detail__refused="not addressed to the viewer's agency")
    assert refused.count() == 2
    assert {e.subject_person_id for e in refused} == {world["victim"].public_id}


def test_a_made_up_request_is_not_found_and_audited(client, world):
    client.force_login(world["housing_officer"])
    response = client.get(reverse("marac:information-request-answer",
                                  args=["6f1c1d4e-3d1a-4b35-9d43-3f4b2a1e0c99"]))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(actor=world["housing_officer"],
                                     object_id="6f1c1d4e-3d1a-4b35-9d43-3f4b2a1e0c99").exists()


def test_the_service_refuses_a_holder_who_does_not_work_marac_and_a_short_reason_to_decline(world):
    clerk = factories.user_create(role="call_taker", agency=world["housing"])
    with pytest.raises(PermissionDenied):
        services.information_request_answer(info_request=world["asked"], by=clerk, answer=HELD)
    with pytest.raises(ValidationError) as raised:
        services.information_request_answer(info_request=world["asked"], by=world["housing_officer"],
                                            answer="No", decline=True)
    assert "answer" in raised.value.message_dict
    assert MaracInformationRequest.objects.get(pk=world["asked"].pk).status == "pending"
