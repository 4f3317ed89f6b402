"""MARAC services on the real database: referrals and their checks, meetings, the agenda, research, the
chair's record, actions and their escalation, and requests for information another agency holds."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests import factories
from vigil.accounts.models import User
from vigil.audit.models import AuditEvent
from vigil.cases.models import Task
from vigil.marac import services
from vigil.marac.models import MaracAttendance, MaracMeeting, MaracReferral
from vigil.people.models import Person

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 1, 9, tzinfo=UTC)
JAN_20, FEB_3, FEB_17, MAR_3 = date(2026, 1, 20), date(2026, 2, 3), date(2026, 2, 17), date(2026, 3, 3)
REASON = "Escalating threats and control reported by the victim"


@pytest.fixture
def idva():
    return factories.agency_create(code="idva", kind="idva", name="IDVA service")


@pytest.fixture
def housing():
    return factories.agency_create(code="housing", kind="housing", name="Housing")


@pytest.fixture
def coordinator():
    return factories.user_create(role="marac_coordinator")


@pytest.fixture
def marac(idva, housing):
    return factories.marac_area_create(member_agencies=[idva, housing])


def refer(*, area, by, victim=None, **overrides):
    fields = dict(area=area, victim=victim or Person.objects.create(), by=by, received_on=date(2026, 1, 12),
                  criteria=["professional_judgement"], judgement_reason=REASON, victim_aware=True,
                  victim_consents=True, now=NOW)
    fields.update(overrides)
    return services.referral_create(**fields)


# --- referrals -------------------------------------------------------------------------------------------

def test_a_partner_refers_and_the_referral_is_listed_on_the_next_planned_meeting(marac, idva, coordinator):
    meetings = services.meetings_schedule(area=marac, start=JAN_20, until=FEB_3, by=coordinator, now=NOW)
    practitioner = factories.user_create(role="partner_practitioner", agency=idva)
    victim = Person.objects.create()

    in_time = refer(area=marac, by=practitioner, victim=victim, received_on=date(2026, 1, 13))  # the cut-off
    too_late = refer(area=marac, by=practitioner, received_on=date(2026, 1, 14))

    assert in_time.referring_agency == idva and in_time.referred_by == practitioner
    assert (in_time.meeting, in_time.status) == (meetings[0], MaracReferral.Status.LISTED)
    assert too_late.meeting == meetings[1]
    event = AuditEvent.objects.filter(object_id=str(in_time.public_id)).get()
    assert (event.action, event.actor, event.subject_person_id) == ("collection", practitioner, victim.public_id)


def test_a_referral_waits_when_its_meeting_is_not_planned_yet(marac, coordinator):
    referral = refer(area=marac, by=coordinator)

    assert (referral.meeting, referral.status) == (None, MaracReferral.Status.RECEIVED)
    services.meetings_schedule(area=marac, start=JAN_20, until=FEB_3, by=coordinator, now=NOW)
    referral.refresh_from_db()
    assert (referral.meeting.held_on, referral.status) == (JAN_20, MaracReferral.Status.LISTED)


@pytest.mark.parametrize("overrides, field, words", [
    ({"criteria": []}, "criteria", "at least one criterion"),
    ({"criteria": ["gut_feeling"]}, "criteria", "from the list"),
    ({"criteria": ["visible_high_risk"]}, "criteria", "14 or more"),
    ({"criteria": ["professional_judgement"], "judgement_reason": "risky"}, "judgement_reason", "reasons"),
    ({"criteria": ["potential_escalation"]}, "criteria", "3 or more"),
    ({"criteria": ["repeat_marac"]}, "criteria", "12 months before"),
    ({"victim_consents": False}, "reason_without_consent", "without the victim's consent"),
    ({"victim_aware": False}, "victim_consents", "do not know about"),
    ({"children": ["", "age 4"]}, "children", "without names"),
    ({"received_on": date(2026, 3, 2)}, "received_on", "future"),
])
def test_referral_validation_names_the_field(marac, coordinator, overrides, field, words):
    with pytest.raises(ValidationError) as raised:
        refer(area=marac, by=coordinator, **overrides)

    messages = raised.value.message_dict[field]
    assert any(words in m for m in messages), messages
    assert not MaracReferral.objects.exists()


def test_visible_high_risk_needs_fourteen_yes_answers_on_the_victims_assessment(marac, coordinator):
    record = factories.person_record_create()
    incident = factories.incident_create(victim=record, received_at=datetime(2026, 1, 10, 20, tzinfo=UTC))
    low = factories.risk_assessment_create(incident=incident, victim=record, grade="high", yes_count=13)
    high = factories.risk_assessment_create(incident=incident, victim=record, grade="high", yes_count=15)

    with pytest.raises(ValidationError, match="this one has 13"):
        refer(area=marac, by=coordinator, victim=record.person, criteria=["visible_high_risk"], risk_assessment=low)
    referral = refer(area=marac, by=coordinator, victim=record.person, criteria=["visible_high_risk"],
                     risk_assessment=high)
    assert referral.criteria == ["visible_high_risk"]
    assert list(referral.recent_incidents.all()) == [incident]

    other = factories.person_record_create()
    with pytest.raises(ValidationError) as raised:
        refer(area=marac, by=coordinator, victim=other.person, criteria=["visible_high_risk"], risk_assessment=high)
    assert "risk_assessment" in raised.value.message_dict


def test_an_assessment_on_a_record_merged_into_the_victim_counts_as_hers(marac, coordinator):
    victim = factories.person_record_create(given_name="Vera", family_name="Victim")
    earlier = factories.person_record_create(given_name="Vera", family_name="Victim")  # written by another unit
    incident = factories.incident_create(victim=earlier, received_at=datetime(2026, 1, 10, 20, tzinfo=UTC))
    assessment = factories.risk_assessment_create(incident=incident, victim=earlier, grade="high", yes_count=15)
    earlier.person.merged_into = victim.person
    earlier.person.save(update_fields=["merged_into"])

    referral = refer(area=marac, by=coordinator, victim=victim.person, criteria=["visible_high_risk"],
                     risk_assessment=assessment)

    assert referral.risk_assessment == assessment


def test_potential_escalation_counts_police_incidents_and_those_known_to_partners(marac, coordinator):
    victim = factories.person_record_create()
    factories.incidents_between_create(victim=victim, at=[datetime(2025, 6, 1, tzinfo=UTC),
                                                         datetime(2026, 1, 10, tzinfo=UTC),
                                                         datetime(2024, 1, 1, tzinfo=UTC)])  # too old
    with pytest.raises(ValidationError, match="2 are known"):
        refer(area=marac, by=coordinator, victim=victim.person, criteria=["potential_escalation"])

    referral = refer(area=marac, by=coordinator, victim=victim.person, criteria=["potential_escalation"],
                     other_agency_incidents=1)
    assert referral.incidents_12m == 3
    assert referral.recent_incidents.count() == 2


def test_not_consenting_keeps_the_reason_and_consenting_clears_it(marac, coordinator):
    without = refer(area=marac, by=coordinator, victim_aware=False, victim_consents=False,
                    reason_without_consent="Telling her would alert the perpetrator")
    assert without.reason_without_consent == "Telling her would alert the perpetrator"
    consenting = refer(area=marac, by=coordinator, reason_without_consent="ignored when consenting")
    assert consenting.reason_without_consent == ""


def test_only_referrers_may_refer(marac):
    with pytest.raises(PermissionDenied):
        refer(area=marac, by=factories.user_create(role="call_taker"))


def test_repeat_is_marked_when_the_victim_was_referred_within_12_months(marac, coordinator):
    earlier = services.meetings_schedule(area=marac, start=date(2024, 1, 1), until=date(2025, 3, 31), now=NOW)
    victim = Person.objects.create()
    first = refer(area=marac, by=coordinator, victim=victim, received_on=date(2025, 3, 2))
    late = refer(area=marac, by=coordinator, victim=Person.objects.create(), received_on=date(2024, 1, 2))
    for meeting in earlier:  # both heard when their meetings were held
        services.attendance_record(meeting=meeting, by=coordinator, chair=coordinator, now=NOW)
    again = refer(area=marac, by=coordinator, victim=victim, received_on=date(2026, 1, 12),
                  criteria=["repeat_marac"])
    stranger = refer(area=marac, by=coordinator, received_on=date(2026, 1, 12))
    after_a_year = refer(area=marac, by=coordinator, victim=late.victim, received_on=date(2026, 1, 12))

    assert not first.is_repeat
    assert again.is_repeat and not stranger.is_repeat and not after_a_year.is_repeat
    meeting = services.meetings_schedule(area=marac, start=JAN_20, until=JAN_20, by=coordinator, now=NOW)[0]
    agenda = services.agenda_for(meeting=meeting, viewer=coordinator)
    repeat_by_victim = {item.case.victim_key: item.repeat for item in agenda.items}
    assert repeat_by_victim == {str(victim.public_id): True, str(stranger.victim.public_id): False,
                                str(late.victim.public_id): False}
    assert agenda.items[0].referrals == (again,)  # repeats first
    assert AuditEvent.objects.filter(action="consultation", object_id=str(meeting.public_id)).count() == 3


# --- meetings ------------------------------------------------------------------------------------------

def test_meetings_follow_the_areas_rhythm_and_invite_its_agencies(idva, housing, coordinator):
    monthly = factories.marac_area_create(every_days=28, member_agencies=[idva, housing])

    meetings = services.meetings_schedule(area=monthly, start=date(2026, 1, 1), until=date(2026, 4, 30),
                                          by=coordinator, now=NOW)
    again = services.meetings_schedule(area=monthly, start=date(2026, 1, 1), until=date(2026, 4, 30), now=NOW)

    assert [m.held_on for m in meetings] == [date(2026, 1, 6), date(2026, 2, 3), date(2026, 3, 3),
                                             date(2026, 3, 31), date(2026, 4, 28)]
    assert again == meetings and MaracMeeting.objects.count() == 5
    assert set(meetings[0].agencies.all()) == {idva, housing}
    assert {a.status for a in MaracAttendance.objects.all()} == {MaracAttendance.Status.INVITED}
    with pytest.raises(PermissionDenied):
        services.meetings_schedule(area=monthly, until=date(2026, 4, 30), by=factories.user_create(), now=NOW)


def test_research_comes_from_invited_agencies_and_the_police_before_the_meeting(marac, idva, coordinator):
    meeting = services.meetings_schedule(area=marac, start=JAN_20, until=JAN_20, now=NOW)[0]
    referral = factories.marac_referral_create(area=marac, meeting=meeting)
    practitioner = factories.user_create(role="partner_practitioner", agency=idva)
    outsider = factories.user_create(role="partner_practitioner",
                                     agency=factories.agency_create(code="health", kind="health"))

    research = services.research_add(referral=referral, by=practitioner, text="Open to the IDVA since May",
                                     now=NOW)
    services.research_add(referral=referral, by=coordinator, text="Two call-outs in January", now=NOW)
    with pytest.raises(PermissionDenied):
        services.research_add(referral=referral, by=outsider, text="Registered with a GP", now=NOW)
    with pytest.raises(ValidationError):
        services.research_add(referral=referral, by=practitioner, text="  ", now=NOW)

    assert research.agency == idva and referral.research.count() == 2
    assert AuditEvent.objects.filter(object_id=str(research.public_id), action="collection",
                                     subject_person_id=referral.victim.public_id).exists()
    services.attendance_record(meeting=meeting, by=coordinator, chair=coordinator, present=[idva], now=NOW)
    with pytest.raises(ValidationError, match="already heard"):
        services.research_add(referral=referral, by=practitioner, text="Too late now", now=NOW)


def test_the_chair_records_attendance_and_the_cases_heard(marac, idva, housing, coordinator):
    meeting = services.meetings_schedule(area=marac, start=JAN_20, until=JAN_20, now=NOW)[0]
    referral = factories.marac_referral_create(area=marac, meeting=meeting)
    probation = factories.agency_create(code="probation", kind="probation")
    chair = factories.user_create(role="specialist_investigator")

    with pytest.raises(ValidationError, match="not happened yet"):
        services.attendance_record(meeting=meeting, by=coordinator, chair=chair, now=datetime(2026, 1, 19, tzinfo=UTC))
    with pytest.raises(PermissionDenied):
        services.attendance_record(meeting=meeting, by=factories.user_create(role="partner_practitioner",
                                                                            agency=idva), chair=chair, now=NOW)
    services.attendance_record(meeting=meeting, by=chair, chair=chair, present=[idva, probation],
                               apologies=[housing], now=NOW)
    services.discussion_record(referral=referral, by=chair, text="Agreed a joint visit and a refuge place")

    meeting.refresh_from_db()
    referral.refresh_from_db()
    assert (meeting.status, meeting.chair) == (MaracMeeting.Status.HELD, chair)
    assert {a.agency.code: a.status for a in meeting.attendance.all()} == {
        "idva": "present", "probation": "present", "housing": "apologies"}
    assert referral.status == MaracReferral.Status.HEARD
    assert referral.discussion == "Agreed a joint visit and a refuge place"


# --- actions -------------------------------------------------------------------------------------------

@pytest.fixture
def held_meeting(marac, idva, coordinator):
    meetings = services.meetings_schedule(area=marac, start=JAN_20, until=MAR_3, now=NOW)
    referral = factories.marac_referral_create(area=marac, meeting=meetings[0])
    services.attendance_record(meeting=meetings[0], by=coordinator, chair=coordinator, present=[idva], now=NOW)
    return meetings, referral


def test_actions_are_agreed_for_a_case_on_the_agenda_with_an_owning_agency(held_meeting, idva, housing,
                                                                           coordinator, marac):
    meetings, referral = held_meeting
    worker = factories.user_create(role="partner_practitioner", agency=idva)

    action = services.action_agree(meeting=meetings[0], referral=referral, by=coordinator, agency=idva,
                                   owner=worker, description="Offer a safety plan review", due_on=FEB_3, now=NOW)

    assert (action.agency, action.owner, action.status) == (idva, worker, "open")
    stranger = factories.marac_referral_create(area=marac, received_on=date(2026, 2, 20))
    with pytest.raises(ValidationError) as raised:
        services.action_agree(meeting=meetings[0], referral=stranger, by=coordinator, agency=housing,
                              owner=worker, description="x", due_on=date(2026, 1, 1), now=NOW)
    assert set(raised.value.message_dict) == {"referral", "owner", "due_on"}


def test_only_the_owning_agency_or_the_coordinator_closes_an_action(held_meeting, idva, housing, coordinator):
    meetings, referral = held_meeting
    action = factories.marac_action_create(referral=referral, meeting=meetings[0], agency=idva, due_on=FEB_3)

    with pytest.raises(PermissionDenied):
        services.action_complete(action=action, on=FEB_3, now=NOW,
                                 by=factories.user_create(role="partner_practitioner", agency=housing))
    with pytest.raises(ValidationError) as raised:
        services.action_complete(action=action, on=FEB_3, cancelled=True, now=NOW,
                                 by=factories.user_create(role="partner_practitioner", agency=idva))
    assert "outcome" in raised.value.message_dict
    done = services.action_complete(action=action, on=FEB_3, now=NOW,
                                    by=factories.user_create(role="partner_practitioner", agency=idva))
    assert (done.status, done.completed_on) == ("done", FEB_3)
    assert services.agenda_for(meeting=meetings[1], viewer=coordinator).items == ()
    with pytest.raises(ValidationError, match="already done"):
        services.action_complete(action=action, by=coordinator, now=NOW)


def test_an_overdue_action_escalates_once_to_the_coordinator_and_returns_on_the_next_agenda(
        held_meeting, idva, coordinator, marac):
    meetings, referral = held_meeting
    team = factories.team_create(kind="marac")
    team.members.add(coordinator)
    marac.coordinating_team = team
    marac.save()
    overdue = factories.marac_action_create(referral=referral, meeting=meetings[0], agency=idva, due_on=JAN_20)
    not_yet = factories.marac_action_create(referral=referral, meeting=meetings[0], agency=idva, due_on=FEB_3)

    first = services.overdue_actions_escalate(on=date(2026, 1, 21), now=NOW)
    second = services.overdue_actions_escalate(on=date(2026, 1, 22), now=datetime(2026, 3, 2, tzinfo=UTC))

    assert first == [overdue] and second == []
    overdue.refresh_from_db()
    not_yet.refresh_from_db()
    assert overdue.escalated_at == NOW and not_yet.escalated_at is None
    task = Task.objects.get()
    assert (task.kind, task.assignee, task.team, task.case, task.urgent) == ("escalation", coordinator, team,
                                                                               None, True)
    assert task.key == f"escalate:marac-action:{overdue.public_id}"
    assert "IDVA service" in task.detail and "still open 1 day later" in task.detail
    assert AuditEvent.objects.filter(object_id=str(overdue.public_id), action="alteration").count() == 1

    agenda = services.agenda_for(meeting=meetings[1], viewer=coordinator)
    (item,) = agenda.items
    assert item.referrals == () and set(item.actions) == {overdue, not_yet}


def test_escalation_without_a_coordinator_still_records_the_escalation(held_meeting, idva):
    meetings, referral = held_meeting
    meetings[0].refresh_from_db()
    User.objects.filter(role="marac_coordinator").update(is_active=False)
    action = factories.marac_action_create(referral=referral, meeting=meetings[0], agency=idva, due_on=JAN_20)

    assert services.overdue_actions_escalate(on=FEB_3, now=NOW) == [action]
    assert not Task.objects.exists()
    action.refresh_from_db()
    assert action.escalated_at == NOW


# --- information requests --------------------------------------------------------------------------------

def test_an_agency_asks_another_for_what_it_holds_and_the_answer_is_an_audited_disclosure(
        held_meeting, idva, housing):
    _, referral = held_meeting
    asker = factories.user_create(role="partner_practitioner", agency=idva)
    holder = factories.user_create(role="partner_practitioner", agency=housing)

    asked = services.information_request_create(person=referral.victim, holding_agency=housing, by=asker,
                                                reason="Safety planning needs the tenancy history", now=NOW)
    with pytest.raises(PermissionDenied):
        services.information_request_answer(info_request=asked, by=asker, answer="Nothing", now=NOW)
    answered = services.information_request_answer(info_request=asked, by=holder, now=NOW,
                                                   answer="Tenancy since 2021; two reports of damage")

    assert (answered.status, answered.answered_by) == ("answered", holder)
    disclosure = AuditEvent.objects.get(action="disclosure")
    assert (disclosure.actor, disclosure.subject_person_id) == (holder, referral.victim.public_id)
    assert disclosure.reason == "Safety planning needs the tenancy history"
    with pytest.raises(ValidationError):
        services.information_request_create(person=referral.victim, holding_agency=idva, by=asker,
                                             reason="Safety planning needs it", now=NOW)


def test_the_worker_plans_meetings_ahead_and_escalates_overdue_actions(held_meeting, idva, marac):
    """The deadlines sweep does the MARAC work nobody has to remember: meetings eight weeks ahead, and an
    overdue action sent to the coordinator, once."""
    from vigil.cases import sweeps

    meetings, referral = held_meeting
    overdue = factories.marac_action_create(referral=referral, meeting=meetings[0], agency=idva, due_on=JAN_20)
    ahead = MaracMeeting.objects.filter(area=marac, held_on__gt=NOW.date())
    planned_before = ahead.count()
    sweeps._lists_last_run.clear()  # a fresh worker process
    result = sweeps.deadlines_sweep(now=NOW)

    assert result.errors == 0 and result.marac_actions_escalated == 1
    assert ahead.count() == 4  # fortnightly, eight weeks from 1 March: 3, 17 and 31 March, 14 April
    assert result.marac_meetings_planned == 4 - planned_before
    assert all(meeting.attendance.count() == marac.member_agencies.count() for meeting in ahead)
    overdue.refresh_from_db()
    assert overdue.escalated_at is not None
    sweeps._lists_last_run[:] = [sweeps._lists_last_run[0] - sweeps.LISTS_SWEEP_SECONDS]
    again = sweeps.deadlines_sweep(now=NOW)
    assert (again.marac_meetings_planned, again.marac_actions_escalated) == (0, 0)
