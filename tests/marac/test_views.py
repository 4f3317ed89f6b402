"""The MARAC pages: who sees each page, a partner's refused look at a referral not shared (404, audited),
forms that keep what was typed and show the error summary (400), the case page's prompt to refer, and a
whole cycle: a police referral, the agenda, a partner's research, two actions agreed, one completed."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from vigil.audit.models import AuditEvent
from vigil.marac import selectors, services
from vigil.marac.models import MaracAction, MaracReferral, MaracResearch

pytestmark = pytest.mark.django_db

REASON = "Threats to kill made last week and the victim is very frightened"


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def world():
    """A MARAC meeting fortnightly, one of whose meetings was a week ago (its cut-off about two weeks
    ago), with the IDVA service invited; health is a partner that is not."""
    today = timezone.localdate()
    last_week = factories.working_day_a_week_ago(today)
    idva = factories.agency_create(code="idva", kind="idva", name="IDVA service")
    health = factories.agency_create(code="health", kind="health", name="Health")
    marac = factories.marac_area_create(anchor_date=last_week, member_agencies=[idva])
    coordinator = factories.user_create(role="marac_coordinator")
    meetings = services.meetings_schedule(area=marac, start=today - timedelta(days=21),
                                          until=today + timedelta(days=30), by=coordinator)
    meeting = next(m for m in meetings if m.held_on == last_week)
    return dict(
        today=today, idva=idva, health=health, marac=marac, meeting=meeting, coordinator=coordinator,
        specialist=factories.user_create(role="specialist_investigator"),
        officer=factories.user_create(role="response_officer"),
        partner=factories.user_create(role="partner_practitioner", agency=idva),
        outsider=factories.user_create(role="partner_practitioner", agency=health))


def victim_named(given: str, family: str):
    return factories.person_record_create(given_name=given, family_name=family).person


def listed(world, *, victim=None, days_ago: int = 20) -> MaracReferral:
    return factories.marac_referral_create(area=world["marac"], victim=victim, meeting=world["meeting"],
                                           received_on=world["today"] - timedelta(days=days_ago),
                                           by=world["coordinator"])


# --- who sees what ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["marac:referrals", "marac:meetings", "marac:actions"])
def test_the_lists_open_for_police_who_work_marac_and_partners_and_no_one_else(client, world, name):
    for role in ("coordinator", "specialist", "partner"):
        client.force_login(world[role])
        assert client.get(reverse(name)).status_code == 200, role
    client.force_login(world["officer"])
    assert client.get(reverse(name)).status_code == 403


def test_the_referrals_list_shows_the_victim_criteria_repeat_meeting_and_status_and_is_audited(client, world):
    referral = listed(world, victim=victim_named("Vera", "Victim"))
    client.force_login(world["partner"])

    page = text(client.get(reverse("marac:referrals")))

    assert "Vera Victim" in page and "Professional judgement" in page and "On an agenda" in page
    assert reverse("marac:referral", args=[referral.public_id]) in page
    assert '<caption class="govuk-table__caption' in page
    assert AuditEvent.objects.filter(actor=world["partner"], subject_person_id=referral.victim.public_id,
                                     detail__view="marac referrals").exists()


def test_a_partner_gets_not_found_for_a_referral_not_shared_and_the_attempt_is_audited(client, world):
    referral = listed(world)
    client.force_login(world["outsider"])

    assert client.get(reverse("marac:referral", args=[referral.public_id])).status_code == 404

    event = AuditEvent.objects.get(actor=world["outsider"], object_id=str(referral.public_id))
    assert event.detail["refused"] == "not shared with the viewer's agency"
    assert event.subject_person_id == referral.victim.public_id
    assert str(referral.public_id) not in text(client.get(reverse("marac:referrals")))
    assert client.get(reverse("marac:meeting", args=[world["meeting"].public_id])).status_code == 404
    assert client.get(reverse("marac:meeting-print", args=[world["meeting"].public_id])).status_code == 404
    assert AuditEvent.objects.filter(actor=world["outsider"], object_id=str(world["meeting"].public_id),
                                     detail__refused="not shared with the viewer's agency").exists()


def test_the_meeting_list_shows_a_partner_only_their_agencys_meetings(client, world):
    other = factories.marac_area_create(code="county", member_agencies=[world["health"]])
    services.meetings_schedule(area=other, start=world["today"], until=world["today"] + timedelta(days=14))
    client.force_login(world["partner"])
    page = text(client.get(reverse("marac:meetings")))
    assert f">{world['marac'].name}</caption>" in page and f">{other.name}</caption>" not in page
    client.force_login(world["coordinator"])
    page = text(client.get(reverse("marac:meetings")))
    assert f">{world['marac'].name}</caption>" in page and f">{other.name}</caption>" in page


def test_the_agenda_marks_a_repeat_case_in_words_and_brings_back_open_actions(client, world):
    victim = victim_named("Rita", "Repeat")
    earlier = factories.marac_meeting_create(area=world["marac"], held_on=world["today"] - timedelta(days=100),
                                             agencies=[world["idva"]], status="held", chair=world["coordinator"])
    old = factories.marac_referral_create(area=world["marac"], victim=victim, meeting=earlier, status="heard",
                                          received_on=world["today"] - timedelta(days=110))
    factories.marac_action_create(referral=old, meeting=earlier, agency=world["idva"],
                                  due_on=world["today"] - timedelta(days=30), description="Safety plan review")
    listed(world, victim=victim)
    client.force_login(world["partner"])

    page = text(client.get(reverse("marac:meeting", args=[world["meeting"].public_id])))

    assert "Case 1: Rita Repeat" in page and "Repeat MARAC case" in page
    assert "Safety plan review" in page and "Overdue by" in page
    assert "Record the meeting" not in page  # partners do not run the meeting
    printed = client.get(reverse("marac:meeting-print", args=[world["meeting"].public_id]))
    assert printed.status_code == 200 and "Rita Repeat" in text(printed) and "repeat MARAC case" in text(printed)


# --- forms: errors keep what was typed ---------------------------------------------------------------------

def test_the_referral_form_without_a_person_says_where_to_start_and_an_unknown_person_is_not_found(client, world):
    client.force_login(world["officer"])
    assert "Start from the victim" in text(client.get(reverse("marac:referral-new")))
    assert client.get(reverse("marac:referral-new") + "?person=nonsense").status_code == 404
    assert client.get(reverse("marac:referral-new") + "?person=6f1c1d4e-3d1a-4b35-9d43-3f4b2a1e0c99").status_code \
        == 404


def test_a_referral_with_errors_is_shown_again_with_the_summary_and_everything_typed(client, world):
    victim = victim_named("Tess", "Typed")
    client.force_login(world["officer"])
    url = reverse("marac:referral-new") + f"?person={victim.public_id}"
    assert "Tess Typed" in text(client.get(url))

    response = client.post(url, {"area": world["marac"].code, "received_on": "2026-02-30",
                                 "criteria": ["professional_judgement"], "judgement_reason": "Too short",
                                 "children": "Boy, 4, victim's son\nGirl, 9", "victim_aware": "yes"})

    assert response.status_code == 400
    page = text(response)
    assert "There is a problem" in page and "Enter the date as a real date" in page
    assert "Say whether the victim agrees to the referral" in page
    assert "Too short" in page and "Boy, 4, victim&#x27;s son\nGirl, 9" in page and "2026-02-30" in page
    assert 'value="professional_judgement" aria-describedby="id_criteria-professional_judgement-hint" checked' in page
    assert not MaracReferral.objects.exists()


def test_the_services_checks_come_back_on_the_fields(client, world):
    victim = victim_named("Sam", "Service")
    client.force_login(world["officer"])
    url = reverse("marac:referral-new") + f"?person={victim.public_id}"

    response = client.post(url, {"area": world["marac"].code, "received_on": world["today"].isoformat(),
                                 "criteria": ["professional_judgement", "potential_escalation"],
                                 "judgement_reason": "Too short", "victim_aware": "no", "victim_consents": "no",
                                 "reason_without_consent": ""})

    assert response.status_code == 400
    page = text(response)
    assert "Potential escalation needs 3 or more" in page
    assert "Give the reasons for your professional judgement" in page
    assert "Give the reason for referring without the victim" in page
    assert 'href="#id_criteria"' in page and 'href="#id_judgement_reason"' in page


def test_a_partner_may_refer_only_a_victim_on_a_case_shared_with_them(client, world):
    shared = listed(world)
    stranger = victim_named("Nora", "Notshared")
    client.force_login(world["partner"])
    assert client.get(reverse("marac:referral-new") + f"?person={shared.victim.public_id}").status_code == 200
    assert client.get(reverse("marac:referral-new") + f"?person={stranger.public_id}").status_code == 404
    assert AuditEvent.objects.filter(actor=world["partner"], object_id=str(stranger.public_id),
                                     detail__refused="not shared with the viewer's agency").exists()


def test_empty_research_and_a_short_reason_for_asking_re_render_the_referral_with_errors(client, world):
    referral = listed(world)
    MaracResearch.objects.create(referral=referral, agency=world["coordinator"].agency, author=world["coordinator"],
                                 text="Police hold two call-outs", added_at=timezone.now())
    client.force_login(world["partner"])

    response = client.post(reverse("marac:research-add", args=[referral.public_id]), {"text": "  "})
    assert response.status_code == 400 and "There is a problem" in text(response)

    page = text(client.get(reverse("marac:referral", args=[referral.public_id])))
    assert "Force" in page and "Police hold two call-outs" in page  # research on the shared case
    ask = reverse("marac:information-request", args=[referral.public_id, "force"])
    response = client.post(ask, {"ask-force-reason": "Need it"})
    assert response.status_code == 400 and "There is a problem" in text(response) and "Need it" in text(response)

    response = client.post(ask, {"ask-force-reason": "To plan the safety of the children at the refuge"})
    assert response.status_code == 302
    assert "Waiting for an answer" in text(client.get(reverse("marac:referral", args=[referral.public_id])))


def test_agreeing_an_action_with_errors_keeps_the_input(client, world):
    referral = listed(world)
    client.force_login(world["coordinator"])

    response = client.post(reverse("marac:action-agree", args=[world["meeting"].public_id]), {
        "action-referral": str(referral.public_id), "action-description": "Arrange a home visit",
        "action-agency": "idva", "action-due_on": (world["meeting"].held_on - timedelta(days=1)).isoformat()})

    assert response.status_code == 400
    page = text(response)
    assert "There is a problem" in page and "cannot be due before the meeting" in page
    assert "Arrange a home visit" in page
    assert not MaracAction.objects.exists()


def test_an_actions_owner_is_chosen_from_the_partners_and_the_police_who_work_marac(world):
    owners = selectors.action_owner_candidates([world["idva"], world["coordinator"].agency])
    assert world["partner"] in owners and world["coordinator"] in owners and world["specialist"] in owners
    assert world["officer"] not in owners and world["outsider"] not in owners


def test_only_the_coordinator_or_chair_runs_the_meeting(client, world):
    referral = listed(world)
    client.force_login(world["specialist"])
    page = text(client.get(reverse("marac:meeting", args=[world["meeting"].public_id])))
    assert "Record the meeting" not in page
    response = client.post(reverse("marac:discussion", args=[referral.public_id]),
                           {f"case-{referral.public_id}-discussion": "Discussed"})
    assert response.status_code == 403


# --- the case page prompts a referral ----------------------------------------------------------------------

def test_the_case_page_prompts_a_referral_when_a_criterion_is_met_and_none_was_made_this_year(client, world):
    record = factories.person_record_create(given_name="Paula", family_name="Prompt")
    incident = factories.incident_create(victim=record, received_at=timezone.now() - timedelta(days=2))
    factories.risk_assessment_create(incident=incident, victim=record, grade="high", yes_count=15)
    case = factories.case_create(victim=record, incident=incident, risk_level="high")
    client.force_login(case.owner)

    page = text(client.get(reverse("cases:case", args=[case.public_id])))
    assert "Refer to MARAC" in page and "Visible high risk: the latest risk assessment has 15" in page
    assert f"{reverse('marac:referral-new')}?person={record.person.public_id}" in page

    # Referred 200 days ago, and the incident two days ago came after it: back to MARAC as a repeat.
    factories.marac_referral_create(area=world["marac"], victim=record.person,
                                    received_on=world["today"] - timedelta(days=200))
    page = text(client.get(reverse("cases:case", args=[case.public_id])))
    assert 'id="marac-prompt"' in page and "Repeat MARAC: a further domestic abuse incident" in page
    assert "Visible high risk" not in page  # MARAC knows the case: only the further incident matters now

    # Referred yesterday, after the latest incident: MARAC has it, nothing to prompt.
    factories.marac_referral_create(area=world["marac"], victim=record.person,
                                    received_on=world["today"] - timedelta(days=1))
    assert 'id="marac-prompt"' not in text(client.get(reverse("cases:case", args=[case.public_id])))


def test_the_referral_prompt_rule():
    person = factories.person_record_create().person
    assert selectors.referral_prompt(victim=person) is None
    assert selectors.referral_prompt(victim=None) is None
    prompt = selectors.referral_prompt(victim=person, grade="high")
    assert prompt is not None and "professional judgement" in prompt.reasons[0]
    record = person.records.first()
    factories.incidents_between_create(victim=record, at=[datetime.now(UTC) - timedelta(days=d) for d in (5, 50, 90)])
    assert any("Potential escalation: 3" in r for r in selectors.referral_prompt(victim=person).reasons)


# --- a whole cycle ---------------------------------------------------------------------------------------

def test_police_refer_the_agenda_shows_it_a_partner_researches_two_actions_agreed_and_one_completed(client, world):
    victim = victim_named("Hope", "Happypath")
    meeting = world["meeting"]

    # A specialist investigator refers on professional judgement.
    specialist = world["specialist"]
    client.force_login(specialist)
    response = client.post(reverse("marac:referral-new") + f"?person={victim.public_id}", {
        "area": world["marac"].code, "received_on": (world["today"] - timedelta(days=20)).isoformat(),
        "criteria": ["professional_judgement"], "judgement_reason": REASON, "children": "Girl, 6, victim's daughter",
        "victim_aware": "yes", "victim_consents": "yes", "idva_referral_made": "yes"})
    referral = MaracReferral.objects.get(victim=victim)
    assert response.status_code == 302 and response["Location"] == reverse("marac:referral", args=[referral.public_id])
    assert (referral.meeting, referral.referring_agency, referral.children) == (
        meeting, specialist.agency, ["Girl, 6, victim's daughter"])

    # The agenda shows it; the IDVA adds research.
    client.force_login(world["partner"])
    agenda = text(client.get(reverse("marac:meeting", args=[meeting.public_id])))
    assert "Case 1: Hope Happypath" in agenda
    response = client.post(reverse("marac:research-add", args=[referral.public_id]),
                           {"text": "Victim engaged with the IDVA; a refuge place is being sought"})
    assert response.status_code == 302
    assert "refuge place is being sought" in text(client.get(reverse("marac:referral", args=[referral.public_id])))

    # The coordinator records attendance and the discussion and agrees two actions.
    coordinator = world["coordinator"]
    client.force_login(coordinator)
    agenda = text(client.get(reverse("marac:meeting", args=[meeting.public_id])))
    assert "Record the meeting" in agenda and "Agree an action" in agenda
    response = client.post(reverse("marac:attendance", args=[meeting.public_id]),
                           {"chair": str(coordinator.public_id), "agency-idva": "present"})
    assert response.status_code == 302
    response = client.post(reverse("marac:discussion", args=[referral.public_id]),
                           {f"case-{referral.public_id}-discussion": "Refuge and a safety plan agreed"})
    assert response.status_code == 302
    for description, agency in (("Find a refuge place", "idva"), ("Flag the address for an urgent response", "force")):
        response = client.post(reverse("marac:action-agree", args=[meeting.public_id]), {
            "action-referral": str(referral.public_id), "action-description": description,
            "action-agency": agency, "action-due_on": (world["today"] + timedelta(days=7)).isoformat()})
        assert response.status_code == 302, text(response)
    assert MaracAction.objects.filter(referral=referral).count() == 2
    referral.refresh_from_db()
    assert referral.status == MaracReferral.Status.HEARD and referral.discussion == "Refuge and a safety plan agreed"
    printed = text(client.get(reverse("marac:meeting-print", args=[meeting.public_id])))
    assert "Refuge and a safety plan agreed" in printed and "Find a refuge place" in printed
    assert "refuge place is being sought" in printed and "Present" in printed

    # The IDVA sees only its own action, and completes it.
    client.force_login(world["partner"])
    actions = text(client.get(reverse("marac:actions")))
    assert "Find a refuge place" in actions and "Flag the address" not in actions
    idva_action = MaracAction.objects.get(agency=world["idva"])
    url = reverse("marac:action-close", args=[idva_action.public_id])
    assert client.get(url).status_code == 200
    response = client.post(url, {"how": ""})
    assert response.status_code == 400 and "Say whether the action was done" in text(response)
    response = client.post(url, {"how": "done", "outcome": "Refuge place found"})
    assert response.status_code == 302
    idva_action.refresh_from_db()
    assert (idva_action.status, idva_action.completed_on) == ("done", world["today"])
    police_action = MaracAction.objects.get(agency=coordinator.agency)
    assert client.get(reverse("marac:action-close", args=[police_action.public_id])).status_code == 404
    assert police_action.status == "open"


# --- figures ---------------------------------------------------------------------------------------------

def test_the_figures_count_cases_repeats_referrals_and_actions_for_the_period_and_name_no_one(client, world):
    marac, meeting, today = world["marac"], world["meeting"], world["today"]
    marac.women_aged_16_plus = 50_000
    marac.save()
    meeting.status, meeting.chair = "held", world["coordinator"]
    meeting.save()
    again = victim_named("Rita", "Repeat")
    factories.marac_referral_create(area=marac, victim=again, received_on=today - timedelta(days=200),
                                    by=world["coordinator"])  # an earlier referral: the next one is a repeat
    for victim, by in ((again, world["coordinator"]), (victim_named("Nina", "New"), world["partner"])):
        referral = factories.marac_referral_create(area=marac, victim=victim, meeting=meeting, status="heard",
                                                   received_on=today - timedelta(days=20), by=by)
    done = factories.marac_action_create(referral=referral, meeting=meeting, agency=world["idva"],
                                         due_on=today - timedelta(days=3), status="done",
                                         completed_on=today - timedelta(days=4))
    factories.marac_action_create(referral=referral, meeting=meeting, agency=world["idva"],
                                  due_on=today - timedelta(days=2))  # still open: late
    assert done.status == "done"
    client.force_login(world["coordinator"])

    page = text(client.get(reverse("marac:figures"), {"area": marac.code}))

    assert "Cases heard</th><td class=\"govuk-table__cell\">2<" in page
    assert "Repeat cases</th><td class=\"govuk-table__cell\">1 (50%)" in page
    assert "1 of 2 (50%)" in page  # actions due in the period done on time
    assert "Referrals received</th><td class=\"govuk-table__cell\">3<" in page  # the earlier one is in the year too
    assert "IDVA service" in page and "Recommended: 40" in page
    assert "Rita" not in page and "Nina" not in page  # counts only
    # Two cases in 365 days for 50,000 women: 0.4 a year per 10,000.
    assert "per 10,000 women aged 16 and over</th><td class=\"govuk-table__cell\">0.4<" in page


def test_the_figures_refuse_a_period_that_ends_before_it_starts(client, world):
    client.force_login(world["coordinator"])
    response = client.get(reverse("marac:figures"), {"area": world["marac"].code, "start": "2026-05-01",
                                                     "end": "2026-04-01"})
    assert response.status_code == 400
    assert "The period must end on or after the day it starts" in text(response)
    assert 'value="2026-05-01"' in text(response)  # what was typed is kept


def test_partners_do_not_see_the_figures_page(client, world):
    client.force_login(world["partner"])
    assert client.get(reverse("marac:figures")).status_code == 403


def test_the_actions_list_and_an_actions_page_are_audited_as_looks_at_the_victim(client, world):
    referral = listed(world, victim=victim_named("Ada", "Audited"))
    action = factories.marac_action_create(referral=referral, meeting=world["meeting"], agency=world["idva"],
                                           due_on=world["today"] + timedelta(days=7))
    client.force_login(world["partner"])

    assert "Ada Audited" in text(client.get(reverse("marac:actions")))
    assert AuditEvent.objects.filter(actor=world["partner"], subject_person_id=referral.victim.public_id,
                                     detail__view="marac actions").exists()
    assert "Ada Audited" in text(client.get(reverse("marac:action-close", args=[action.public_id])))
    assert AuditEvent.objects.filter(actor=world["partner"], subject_person_id=referral.victim.public_id,
                                     detail__view="marac action").exists()


def test_the_figures_open_on_the_last_year_of_meetings_when_none_was_held_in_the_last_year(client, world):
    """A demo force (or a MARAC that stopped) has its meetings years ago: the page opens on their figures."""
    old = factories.marac_area_create(code="stopped", every_days=14, member_agencies=[world["idva"]])
    held_on = world["today"] - timedelta(days=800)
    meeting = factories.marac_meeting_create(area=old, held_on=held_on, agencies=[world["idva"]], status="held",
                                             chair=world["coordinator"])
    factories.marac_referral_create(area=old, victim=victim_named("Olwen", "Older"), meeting=meeting,
                                    status="heard", received_on=held_on - timedelta(days=10))
    client.force_login(world["coordinator"])

    page = text(client.get(reverse("marac:figures"), {"area": old.code}))

    assert "Cases heard</th><td class=\"govuk-table__cell\">1<" in page
    assert f"{held_on:%-d %B %Y}" in page
    assert selectors.figures_default_end(world["marac"], world["today"]) == world["today"]
