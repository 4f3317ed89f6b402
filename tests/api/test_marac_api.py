"""The MARAC API: referrals (scoped to the caller's agency, a refused look audited), making one (field errors
and nothing saved; a retry replayed), research, meetings with their agenda and attendance, and actions agreed,
completed and cancelled. Roles without `marac.view_marac` are refused."""

import uuid
from datetime import date

import pytest
import yaml
from django.urls import reverse
from rest_framework.test import APIClient

from tests import factories
from vigil.api.models import IdempotentRequest
from vigil.audit.models import AuditEvent
from vigil.marac import selectors
from vigil.marac.models import MaracAction, MaracReferral, MaracResearch
from vigil.people.models import Person

pytestmark = pytest.mark.django_db

JAN_12, JAN_19, JAN_20 = date(2026, 1, 12), date(2026, 1, 19), date(2026, 1, 20)
REASON = "Threats to kill made last week, and the victim is frightened"


def client_for(user) -> APIClient:
    api = APIClient()
    api.force_login(user)
    return api


def url(name, *args):
    return reverse(f"api:{name}", args=list(args))


class World:
    """Two MARACs: the city's invites the IDVA service, the county's only Health."""

    def __init__(self):
        self.idva = factories.agency_create(code="idva", kind="idva", name="IDVA service")
        self.health = factories.agency_create(code="health", kind="health", name="Health")
        self.coordinator = factories.user_create(role="marac_coordinator")
        self.advocate = factories.user_create(role="partner_practitioner", agency=self.idva)
        self.nurse = factories.user_create(role="partner_practitioner", agency=self.health)
        self.city = factories.marac_area_create(member_agencies=[self.idva])
        self.county = factories.marac_area_create(member_agencies=[self.health])
        self.meeting = factories.marac_meeting_create(area=self.city, held_on=JAN_20, agencies=[self.idva])
        self.county_meeting = factories.marac_meeting_create(area=self.county, held_on=JAN_20,
                                                             agencies=[self.health])
        self.shared = factories.marac_referral_create(area=self.city, meeting=self.meeting, by=self.coordinator)
        self.hidden = factories.marac_referral_create(area=self.county, meeting=self.county_meeting,
                                                      by=self.coordinator)


@pytest.fixture
def world():
    return World()


def _referral_body(world, **changes) -> dict:
    body = {"area": world.city.code, "victim": str(Person.objects.create().public_id),
            "received_on": JAN_12.isoformat(), "criteria": ["professional_judgement"], "judgement_reason": REASON,
            "victim_aware": True, "victim_consents": True, "children": ["Girl aged 4"]}
    return {**body, **changes}


# Referrals ------------------------------------------------------------------------------------------------

def test_a_partner_gets_404_for_a_referral_not_shared_with_their_agency_and_the_attempt_is_audited(world):
    response = client_for(world.advocate).get(url("marac-referral", world.hidden.public_id))

    assert response.status_code == 404 and response.json() == {"detail": "No MARAC referral with this id."}
    event = AuditEvent.objects.get(actor=world.advocate, object_id=str(world.hidden.public_id))
    assert (event.action, event.object_type) == ("consultation", "marac.MaracReferral")
    assert event.subject_person_id == world.hidden.victim.public_id
    assert event.detail["refused"] == "not shared with the viewer's agency"
    # The research on it is refused the same way, and audited too.
    assert client_for(world.advocate).get(url("marac-referral-research", world.hidden.public_id)).status_code == 404
    assert AuditEvent.objects.filter(actor=world.advocate, object_id=str(world.hidden.public_id)).count() == 2


def test_a_shared_referral_is_visible_listed_and_the_reads_audited(world):
    action = factories.marac_action_create(referral=world.shared, meeting=world.meeting, agency=world.idva,
                                           due_on=date(2026, 2, 3))
    police = factories.marac_action_create(referral=world.shared, meeting=world.meeting,
                                           agency=world.coordinator.agency, due_on=date(2026, 2, 3))
    api = client_for(world.advocate)

    detail = api.get(url("marac-referral", world.shared.public_id))

    assert detail.status_code == 200 and detail["Cache-Control"] == "no-store"
    got = detail.json()
    assert got["id"] == str(world.shared.public_id) and got["victim"] == str(world.shared.victim.public_id)
    assert (got["status"], got["meeting"]["held_on"], got["criteria"]) == ("listed", "2026-01-20",
                                                                         ["professional_judgement"])
    assert [a["id"] for a in got["actions"]] == [str(action.public_id)]  # not the police's own action
    assert AuditEvent.objects.filter(actor=world.advocate, action="consultation",
                                     object_id=str(world.shared.public_id), detail__view="marac referral").exists()

    listed = api.get(url("marac-referrals")).json()
    assert [r["id"] for r in listed["referrals"]] == [str(world.shared.public_id)]
    assert AuditEvent.objects.filter(actor=world.advocate, object_id="list",
                                     subject_person_id=world.shared.victim.public_id).exists()
    everything = client_for(world.coordinator).get(url("marac-referrals")).json()
    assert {r["id"] for r in everything["referrals"]} == {str(world.shared.public_id), str(world.hidden.public_id)}
    coordinator_view = client_for(world.coordinator).get(url("marac-referral", world.shared.public_id)).json()
    assert {a["id"] for a in coordinator_view["actions"]} == {str(action.public_id), str(police.public_id)}
    assert api.get(url("marac-referrals"), {"status": "pending"}).status_code == 400


def test_a_referral_with_bad_input_is_refused_with_field_messages_and_nothing_is_saved(world):
    before = MaracReferral.objects.count()
    api = client_for(world.advocate)

    refused = api.post(url("marac-referrals"), _referral_body(
        world, judgement_reason="Scared", victim_consents=False, reason_without_consent=""), format="json",
        HTTP_IDEMPOTENCY_KEY="bad-referral-1")

    assert refused.status_code == 400
    errors = refused.json()["errors"]
    assert {"judgement_reason", "reason_without_consent"} <= set(errors)
    assert all(isinstance(m, list) and m for m in errors.values())
    shape = api.post(url("marac-referrals"), {"area": world.city.code, "criteria": ["hunch"], "colour": "red"},
                     format="json")
    assert shape.status_code == 400
    assert {"victim", "received_on", "criteria", "victim_aware", "victim_consents", "colour"} <= \
        set(shape.json()["errors"])
    unknown = api.post(url("marac-referrals"), _referral_body(world, area="nowhere", victim=str(uuid.uuid4())),
                       format="json")
    assert unknown.status_code == 400 and {"area", "victim"} <= set(unknown.json()["errors"])
    assert MaracReferral.objects.count() == before
    assert not IdempotentRequest.objects.exists()


def test_a_partner_refers_and_a_retry_with_the_same_key_makes_nothing_new(world):
    api = client_for(world.nurse)
    body = _referral_body(world)

    made = api.post(url("marac-referrals"), body, format="json", HTTP_IDEMPOTENCY_KEY="refer-1")
    again = api.post(url("marac-referrals"), body, format="json", HTTP_IDEMPOTENCY_KEY="refer-1")

    assert made.status_code == 201, made.json()
    got = made.json()
    assert (got["referring_agency"]["code"], got["status"], got["meeting"]["id"]) == (
        "health", "listed", str(world.meeting.public_id))
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true" and again.json()["id"] == got["id"]
    assert MaracReferral.objects.filter(referring_agency=world.health).count() == 1
    # The referring agency sees what it referred.
    assert client_for(world.nurse).get(url("marac-referral", got["id"])).status_code == 200


def test_the_equality_answers_go_in_and_come_back_and_left_out_they_are_not_known(world):
    api = client_for(world.nurse)

    answered = api.post(url("marac-referrals"), _referral_body(world, victim_lgbt=True, victim_disability=False),
                        format="json")
    unanswered = api.post(url("marac-referrals"), _referral_body(world), format="json")
    wrong = api.post(url("marac-referrals"), _referral_body(world, victim_lgbt="perhaps"), format="json")

    assert answered.status_code == 201 and unanswered.status_code == 201
    assert (answered.json()["victim_lgbt"], answered.json()["victim_disability"]) == (True, False)
    assert (unanswered.json()["victim_lgbt"], unanswered.json()["victim_disability"]) == (None, None)
    saved = MaracReferral.objects.get(public_id=answered.json()["id"])
    assert (saved.victim_lgbt, saved.victim_disability) == (True, False)  # what the SafeLives return counts
    assert wrong.status_code == 400 and "victim_lgbt" in wrong.json()["errors"]
    shown = client_for(world.nurse).get(url("marac-referral", answered.json()["id"])).json()
    assert (shown["victim_lgbt"], shown["victim_disability"]) == (True, False)


# Research, agreeing and closing actions ------------------------------------------------------------------

def test_research_then_an_agreed_action_then_completing_it(world):
    advocate = client_for(world.advocate)

    added = advocate.post(url("marac-referral-research", world.shared.public_id),
                          {"text": "Victim known to IDVA since 2025; two safety plans"}, format="json")
    assert added.status_code == 201 and added.json()["agency"]["code"] == "idva"
    research = advocate.get(url("marac-referral-research", world.shared.public_id)).json()["research"]
    assert [r["id"] for r in research] == [added.json()["id"]]
    assert MaracResearch.objects.filter(referral=world.shared, agency=world.idva).count() == 1
    assert advocate.post(url("marac-referral-research", world.shared.public_id), {"text": "  "},
                         format="json").status_code == 400

    agreed = client_for(world.coordinator).post(url("marac-actions"), {
        "meeting": str(world.meeting.public_id), "referral": str(world.shared.public_id), "agency": "idva",
        "description": "Review the safety plan with the victim", "due_on": "2026-02-03",
        "owner": str(world.advocate.public_id)}, format="json", HTTP_IDEMPOTENCY_KEY="agree-1")
    assert agreed.status_code == 201, agreed.json()
    action_id = agreed.json()["id"]
    assert (agreed.json()["status"], agreed.json()["owner"]["id"]) == ("open", str(world.advocate.public_id))
    # A partner may not agree actions: only the chair or the coordinator.
    refused = advocate.post(url("marac-actions"), {
        "meeting": str(world.meeting.public_id), "referral": str(world.shared.public_id), "agency": "idva",
        "description": "Something else", "due_on": "2026-02-03"}, format="json")
    assert refused.status_code == 403

    assert [a["id"] for a in advocate.get(url("marac-actions")).json()["actions"]] == [action_id]
    assert client_for(world.nurse).get(url("marac-actions")).json()["actions"] == []
    assert client_for(world.nurse).post(url("marac-action-complete", action_id), {"outcome": "Done"},
                                        format="json").status_code == 404

    done = advocate.post(url("marac-action-complete", action_id), {"outcome": "Safety plan reviewed"},
                         format="json")
    assert done.status_code == 200, done.json()
    assert (done.json()["status"], done.json()["outcome"]) == ("done", "Safety plan reviewed")
    assert MaracAction.objects.get(public_id=action_id).completed_on is not None
    twice = advocate.post(url("marac-action-cancel", action_id), {"outcome": "Victim moved out of the area"},
                          format="json")
    assert twice.status_code == 400 and "already" in twice.json()["detail"]


def test_cancelling_an_action_needs_the_reason(world):
    action = factories.marac_action_create(referral=world.shared, meeting=world.meeting, agency=world.idva,
                                           due_on=date(2026, 2, 3))
    api = client_for(world.advocate)

    short = api.post(url("marac-action-cancel", action.public_id), {"outcome": "Moved"}, format="json")
    assert short.status_code == 400 and "outcome" in short.json()["errors"]
    cancelled = api.post(url("marac-action-cancel", action.public_id),
                         {"outcome": "The victim moved to another force's area"}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


# Meetings ------------------------------------------------------------------------------------------------

def test_a_meeting_agenda_shows_a_partner_only_what_is_shared_with_them(world):
    waiting = factories.marac_referral_create(area=world.city, received_on=JAN_19, by=world.nurse)
    # A case heard at the last meeting (the IDVA was not invited) with two actions back for review.
    earlier = factories.marac_meeting_create(area=world.city, held_on=date(2026, 1, 6), status="held",
                                             chair=world.coordinator)
    heard = factories.marac_referral_create(area=world.city, received_on=date(2025, 12, 22), meeting=earlier,
                                            status="heard", by=world.coordinator)
    ours = factories.marac_action_create(referral=heard, meeting=earlier, agency=world.idva, due_on=JAN_12)
    police = factories.marac_action_create(referral=heard, meeting=earlier, agency=world.coordinator.agency,
                                           due_on=JAN_12)

    agenda = client_for(world.advocate).get(url("marac-meeting", world.meeting.public_id))

    assert agenda.status_code == 200
    got = agenda.json()
    assert [r["id"] for case in got["cases"] for r in case["referrals"]] == [str(world.shared.public_id)]
    assert [a["id"] for case in got["cases"] for a in case["actions"]] == [str(ours.public_id)]
    assert got["waiting"] == []  # Health's referral for the next meeting is not shared with the IDVA
    assert [a["agency"]["code"] for a in got["attendance"]] == ["idva"]
    assert AuditEvent.objects.filter(actor=world.advocate, object_id=str(world.meeting.public_id),
                                     detail__view="marac agenda").exists()
    full = client_for(world.coordinator).get(url("marac-meeting", world.meeting.public_id)).json()
    assert [r["id"] for r in full["waiting"]] == [str(waiting.public_id)]
    assert {a["id"] for case in full["cases"] for a in case["actions"]} == {str(ours.public_id),
                                                                           str(police.public_id)}

    assert [m["id"] for m in client_for(world.advocate).get(url("marac-meetings")).json()["meetings"]] == [
        str(world.meeting.public_id)]
    assert client_for(world.nurse).get(url("marac-meeting", world.meeting.public_id)).status_code == 404
    assert set(selectors.meetings_visible_to(world.coordinator)) == {world.meeting, world.county_meeting, earlier}
    assert not selectors.meetings_visible_to(factories.user_create(role="response_officer")).exists()


def test_the_coordinator_records_attendance_and_a_partner_may_not(world):
    body = {"present": ["idva"], "apologies": []}
    assert client_for(world.advocate).post(url("marac-meeting-attendance", world.meeting.public_id), body,
                                           format="json").status_code == 403

    held = client_for(world.coordinator).post(url("marac-meeting-attendance", world.meeting.public_id), body,
                                              format="json")

    assert held.status_code == 200, held.json()
    got = held.json()
    assert (got["status"], got["chair"]["id"]) == ("held", str(world.coordinator.public_id))
    assert got["attendance"] == [{"agency": {"code": "idva", "name": "IDVA service"}, "status": "present"}]
    world.shared.refresh_from_db()
    assert world.shared.status == MaracReferral.Status.HEARD
    bad = client_for(world.coordinator).post(url("marac-meeting-attendance", world.county_meeting.public_id),
                                             {"present": ["nobody"]}, format="json")
    assert bad.status_code == 400 and "present" in bad.json()["errors"]


# Who may --------------------------------------------------------------------------------------------------

def test_roles_without_view_marac_are_refused(world):
    officer = client_for(factories.user_create(role="response_officer"))
    for name, args in [("marac-referrals", []), ("marac-referral", [world.shared.public_id]),
                       ("marac-meetings", []), ("marac-meeting", [world.meeting.public_id]),
                       ("marac-actions", [])]:
        assert officer.get(url(name, *args)).status_code == 403, name
    assert officer.post(url("marac-referral-research", world.shared.public_id), {"text": "x"},
                        format="json").status_code == 403
    assert APIClient().get(url("marac-referrals")).status_code == 401
    assert client_for(world.advocate).get(url("marac-referral", uuid.uuid4())).status_code == 404


def test_the_schema_documents_the_marac_api(world):
    schema = yaml.safe_load(client_for(world.coordinator).get("/api/v1/schema/").content)

    for path in ("/api/v1/marac/referrals/", "/api/v1/marac/referrals/{public_id}/",
                 "/api/v1/marac/referrals/{public_id}/research/", "/api/v1/marac/meetings/",
                 "/api/v1/marac/meetings/{public_id}/", "/api/v1/marac/meetings/{public_id}/attendance/",
                 "/api/v1/marac/actions/", "/api/v1/marac/actions/{public_id}/complete/",
                 "/api/v1/marac/actions/{public_id}/cancel/"):
        assert path in schema["paths"], path
    operation = schema["paths"]["/api/v1/marac/referrals/"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"])
    assert {"201", "400", "403", "422"} <= set(operation["responses"])
    assert "marac.refer" in operation["description"]
