"""The performance pack read from the tables (pack_selectors): each figure's definition on small hand-made
data, the period's edges in Europe/London, the area filter and the audit."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from tests.factories import (
    area_create,
    case_create,
    crime_create,
    incident_create,
    marac_area_create,
    marac_meeting_create,
    marac_referral_create,
    person_record_create,
    risk_assessment_create,
    user_create,
)
from vigil.audit.models import AuditEvent
from vigil.cases.models import Task
from vigil.incidents.models import Arrest, Outcome
from vigil.insight.pack_selectors import (
    PackPeriod,
    default_period,
    pack_compute,
    pack_export,
    performance_pack,
)
from vigil.people.models import Person
from vigil.risk.models import Answer, GradingDecision

pytestmark = pytest.mark.django_db

PERIOD = PackPeriod(date(2013, 1, 1), date(2013, 12, 31))
NOW = datetime(2014, 6, 1, tzinfo=UTC)


def at(month, day, hour=12):
    return datetime(2013, month, day, hour, tzinfo=UTC)


def pack(area=None):
    return pack_compute(period=PERIOD, area=area, now=NOW).figures


def test_calls_the_period_runs_from_london_midnight_to_london_midnight():
    incident_create(domestic_abuse=True, received_at=datetime(2013, 1, 1, 0, 30, tzinfo=UTC))
    incident_create(domestic_abuse=False, received_at=at(6, 1))
    incident_create(domestic_abuse=False, received_at=at(6, 2))
    incident_create(domestic_abuse=False, received_at=at(6, 3))
    # 23:30 UTC on 31 December 2012 is 23:30 in London (GMT): before the period.
    incident_create(domestic_abuse=True, received_at=datetime(2012, 12, 31, 23, 30, tzinfo=UTC))
    # 23:30 UTC on 31 December 2013 is in the period; 00:00 London on 1 January 2014 is not.
    incident_create(domestic_abuse=True, received_at=datetime(2014, 1, 1, 0, 0, tzinfo=UTC))
    f = pack()
    assert (f["calls_for_assistance"], f["da_calls"], f["da_share_of_calls_pct"]) == (4, 1, 25.0)


def test_summer_time_edges_are_london_days():
    summer = PackPeriod(date(2013, 7, 1), date(2013, 7, 31))
    incident_create(received_at=datetime(2013, 6, 30, 23, 30, tzinfo=UTC))  # 00:30 on 1 July in London: in
    incident_create(received_at=datetime(2013, 7, 31, 23, 30, tzinfo=UTC))  # 00:30 on 1 August: out
    assert pack_compute(period=summer, now=NOW).figures["calls_for_assistance"] == 1


def test_repeat_victims_are_counted_on_the_resolved_person_with_history_before_the_period():
    victim = Person.objects.create()
    record = person_record_create(person=victim)
    incident_create(received_at=datetime(2012, 6, 1, tzinfo=UTC), victim=record)  # history only
    incident_create(received_at=at(3, 1), victim=person_record_create(person=victim))  # a repeat
    incident_create(received_at=at(3, 2), victim=person_record_create())  # a first incident
    # Two records not linked to one person are two people, however alike their names.
    incident_create(received_at=at(4, 1), victim=person_record_create(given_name="Sam", person=None))
    incident_create(received_at=at(5, 1), victim=person_record_create(given_name="Sam"))
    incident_create(received_at=at(5, 2))  # no victim recorded: in the denominator only
    f = pack()
    assert (f["da_calls"], f["repeat_victim_da_calls"], f["repeat_victim_share_of_da_calls_pct"]) == (5, 1, 20.0)
    assert (f["da_victims"], f["repeat_victims"]) == (4, 1)
    assert f["repeat_victim_policy"] == {"window_days": 365, "min_incidents": 2}


def test_an_incident_more_than_a_year_before_is_not_history():
    victim = Person.objects.create()
    incident_create(received_at=datetime(2012, 3, 1, tzinfo=UTC), victim=person_record_create(person=victim))
    incident_create(received_at=at(3, 2), victim=person_record_create(person=victim))
    assert pack()["repeat_victim_da_calls"] == 0


def test_crimes_offence_groups_arrests_and_outcomes():
    incident = incident_create(received_at=at(2, 1), victim=(victim := person_record_create()))
    suspect = person_record_create(given_name="Pat")
    made = [crime_create(incident=incident, group="assault_with_injury", domestic_abuse=True, recorded_at=at(2, 2)),
            crime_create(incident=incident, group="harassment", domestic_abuse=True, recorded_at=at(2, 2)),
            crime_create(group="assault_with_injury", domestic_abuse=False, recorded_at=at(3, 1)),
            crime_create(group="sexual_offences", domestic_abuse=False, recorded_at=at(3, 1))]
    crime_create(group="assault_with_injury", domestic_abuse=True, recorded_at=datetime(2012, 12, 1, tzinfo=UTC))
    for c, outcome in zip(made, ("charge", "nfa", "caution", ""), strict=True):
        if outcome:
            Outcome.objects.create(crime=c, type=outcome, decided_at=at(6, 1),
                                   nfa_reason="victim_does_not_support" if outcome == "nfa" else "")
    Arrest.objects.create(crime=made[0], incident=incident, person_record=suspect, arrested_at=at(2, 1))
    Arrest.objects.create(crime=made[2], person_record=suspect, arrested_at=at(3, 1))  # not a DA crime
    assert victim is not None
    f = pack()
    assert (f["recorded_crimes"], f["da_crimes"], f["da_share_of_crime_pct"]) == (4, 2, 50.0)
    assert f["assault_with_injury"] == {"recorded": 2, "da_related": 1, "da_share_pct": 50.0}
    assert f["harassment"] == {"recorded": 1, "da_related": 1, "da_share_pct": 100.0}
    assert f["sexual_offences"] == {"recorded": 1, "da_related": 0, "da_share_pct": 0.0}
    assert (f["da_arrests"], f["arrests_per_100_da_crimes"]) == (1, 50.0)
    assert (f["outcome_charge_pct"], f["outcome_caution_pct"], f["outcome_nfa_pct"]) == (50.0, 0.0, 50.0)
    assert f["charge_and_caution_rates"]["all_victim_based"] == {"crimes": 4, "charge_pct": 25.0, "caution_pct": 25.0}


def test_active_cases_are_counted_at_the_end_of_the_last_day():
    end = PERIOD.ends_at
    for risk, opened, closed in (("high", at(3, 1), None), ("medium", at(3, 1), end),
                                 ("standard", at(3, 1), end - timedelta(seconds=1)),
                                 ("standard", at(3, 1), None)):
        incident = incident_create(received_at=opened, victim=(v := person_record_create()))
        case_create(victim=v, incident=incident, risk_level=risk, closed_at=closed)
    later = incident_create(received_at=end, victim=(v := person_record_create()))
    case_create(victim=v, incident=later, risk_level="high")
    other = incident_create(domestic_abuse=False, received_at=at(3, 1), victim=(v := person_record_create()))
    case_create(victim=v, incident=other)
    f = pack()["active_cases"]
    assert (f["total"], f["high"], f["medium"], f["standard"]) == (3, 1, 1, 1)
    assert f["high_pct"] == 33.33


def test_reviews_answers_and_victim_contact():
    supervisor, officer = user_create(role="supervisor"), user_create()
    incident = incident_create(received_at=at(3, 1), victim=(v := person_record_create()))
    assessment = risk_assessment_create(incident=incident, victim=v, grade="medium", assessed_at=at(3, 1),
                                        submitted_at=at(3, 1))
    second = risk_assessment_create(incident=incident, victim=v, grade="high", assessed_at=at(3, 1))
    for a, hours in ((assessment, 30), (second, 6)):
        GradingDecision.objects.create(assessment=a, stage="supervisor", grade=a.grade, previous_grade=a.grade,
                                       rationale="Agreed: the answers and history support it",
                                       decided_by=supervisor, decided_at=at(3, 1) + timedelta(hours=hours),
                                       opened_at=at(3, 1) + timedelta(hours=hours - 1))
    # A second supervisor decision on the same assessment is not the first review.
    GradingDecision.objects.create(assessment=second, stage="supervisor", grade="high", previous_grade="high",
                                   rationale="Looked again after new information", decided_by=supervisor,
                                   decided_at=at(3, 10), opened_at=at(3, 10))
    GradingDecision.objects.create(assessment=second, stage="specialist", grade="medium", previous_grade="high",
                                   rationale="Victim spoken to; risk reduced", decided_by=supervisor,
                                   decided_at=at(3, 3), victim_contacted=True)
    for question, obtained in (("q1", "asked_at_scene"), ("q2", "asked_at_scene"), ("q3", "without_victim"),
                               ("q4", "victim_declined")):
        Answer.objects.create(assessment=assessment, question=question, value="yes", obtained=obtained,
                              answered_at=at(3, 1), answered_by=officer)
    case = case_create(victim=v, incident=incident)
    for due, done, status in ((at(3, 2), at(3, 1), "done"), (at(3, 2), at(3, 3), "done"), (at(3, 2), None, "open"),
                              (at(3, 2), at(3, 2), "cancelled")):
        Task.objects.create(case=case, kind=Task.Kind.TELL_VICTIM, title="Tell the victim", assignee=case.owner,
                            due_at=due, created_at=at(3, 1), status=status, done_at=done)
    Task.objects.create(case=case, kind=Task.Kind.RISK_REVIEW, title="Review", assignee=case.owner, due_at=at(3, 2),
                        created_at=at(3, 1))
    f = pack()
    assert f["supervisor_review"] == {"reviews": 2, "median_hours": 18.0, "within_deadline_pct": 50.0,
                                      "deadline_hours": 24.0}
    assert f["dash_answers"] == {"answers": 4, "assessments": 1, "asked_at_scene_pct": 50.0,
                                 "victim_declined_pct": 25.0, "without_victim_pct": 25.0}
    assert f["specialist_review"]["downgrade_pct"] == 100.0
    assert f["victim_contact"] == {"due": 3, "on_time": 1, "on_time_pct": 33.33}


def test_the_area_filter():
    city, county = area_create(code="city", name="City"), area_create(code="county", name="County")
    victim = Person.objects.create()
    incident_create(area=county, received_at=at(2, 1), victim=person_record_create(person=victim))
    mine = incident_create(area=city, received_at=at(3, 1), victim=person_record_create(person=victim))
    incident_create(area=city, domestic_abuse=False, received_at=at(3, 1))
    crime_create(incident=mine, recorded_at=at(3, 2))
    crime_create(recorded_at=at(3, 2))  # no incident, so no area
    f = pack(city)
    assert f["period"]["area"] == {"code": "city", "name": "City"}
    assert (f["calls_for_assistance"], f["da_calls"], f["recorded_crimes"]) == (2, 1, 1)
    # The earlier incident in another area is history: the city's call is by a repeat victim.
    assert f["repeat_victim_da_calls"] == 1
    assert pack(county)["repeat_victim_da_calls"] == 0


def test_marac_cases_heard_and_repeats_of_the_maracs_covering_the_area():
    city = area_create()
    marac = marac_area_create(areas=[city], anchor_date=date(2013, 1, 8))
    victim = Person.objects.create()
    chair = user_create(role="marac_coordinator")
    first = marac_meeting_create(area=marac, held_on=date(2013, 1, 8), status="held", chair=chair)
    second = marac_meeting_create(area=marac, held_on=date(2013, 3, 5), status="held", chair=chair)
    marac_referral_create(area=marac, victim=victim, received_on=date(2013, 1, 2), meeting=first, status="heard")
    marac_referral_create(area=marac, victim=victim, received_on=date(2013, 2, 25), meeting=second, status="heard")
    f = pack(city)["marac"]
    assert (f["maracs"], f["cases_heard"], f["repeat_cases"], f["repeat_rate_pct"]) == (1, 2, 1, 50.0)
    from vigil.marac.selectors import figures_for  # the MARAC page's figures: the same rules, read in full

    theirs = figures_for(area=marac, start=PERIOD.start, end=PERIOD.end).figures
    assert (theirs.cases_heard, theirs.repeat_cases, theirs.referrals_received) == \
        (f["cases_heard"], f["repeat_cases"], f["referrals_received"])
    assert pack(area_create(code="county", name="County"))["marac"]["maracs"] == 0


def test_viewing_is_audited_as_a_consultation_and_refused_without_the_permission():
    analyst = user_create(role="analyst")
    performance_pack(viewer=analyst, period=PERIOD, now=NOW)
    event = AuditEvent.objects.get(object_type="insight.PerformancePack")
    assert (event.action, event.actor, event.subject_person_id) == ("consultation", analyst, None)
    assert event.detail["from"] == "2013-01-01" and event.detail["to"] == "2013-12-31"
    with pytest.raises(PermissionDenied):
        performance_pack(viewer=user_create(role="response_officer"), period=PERIOD, now=NOW)
    pack_export(viewer=analyst, pack=pack_compute(period=PERIOD, now=NOW), format="csv")
    assert AuditEvent.objects.filter(object_type="insight.PerformancePack", action="export").count() == 1


def test_the_default_period_is_the_12_months_to_the_latest_incident():
    incident_create(received_at=datetime(2013, 8, 31, 22, tzinfo=UTC))
    assert default_period(now=NOW) == PackPeriod(date(2012, 9, 1), date(2013, 8, 31))


def test_survey_satisfaction_of_the_surveys_completed_in_the_period():
    from vigil.insight.survey_models import Survey, SurveyAnswer

    assert pack()["survey"] == {"responses": 0, "satisfied_pct": None}  # no survey at all yet
    incident = incident_create(received_at=at(3, 1), victim=(v := person_record_create()))
    case = case_create(victim=v, incident=incident)
    caller = user_create(role="analyst")
    for day, value in ((1, "very_satisfied"), (2, "fairly_dissatisfied"), (3, "not_applicable"),
                       (4, "fairly_satisfied")):
        survey = Survey.objects.create(case=case, made_by=caller, started_at=at(5, day), finished_at=at(5, day),
                                       outcome="completed", safe_number_used=True, risk_level="standard",
                                       team=case.owning_team)
        SurveyAnswer.objects.create(survey=survey, stage="overall", question="satisfaction", value=value)
    Survey.objects.create(case=case, made_by=caller, started_at=at(5, 5), finished_at=at(5, 5), outcome="no_answer",
                          safe_number_used=True, risk_level="standard", team=case.owning_team)
    assert pack()["survey"] == {"responses": 3, "satisfied_pct": 66.67}
