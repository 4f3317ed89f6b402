"""Victim surveys, the services: the safety protocol (safe number, "Is it safe to talk?" first), a
dropped line raising exactly one urgent welfare check, not safe to talk asking nothing, answers checked
with nothing half-saved, and the audit events; and the selectors (who is due, the analysis)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests import factories
from tests.insight.survey_factories import complete_answers, surveyable_case
from vigil.audit.models import AuditEvent
from vigil.cases.models import Task, TimelineEntry
from vigil.cases.services import task_complete
from vigil.insight import survey_selectors as selectors
from vigil.insight import survey_services as services
from vigil.insight import surveys as rules
from vigil.insight.models import Survey, SurveyAnswer
from vigil.people.models import ContactBan

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst():
    return factories.user_create(role="analyst")


def start(case, by, first_step=rules.SAFE_TO_TALK, **kwargs):
    kwargs.setdefault("safe_number_used", True)
    return services.survey_start(case=case, by=by, first_step=first_step, **kwargs)


def test_a_dropped_line_raises_exactly_one_urgent_welfare_check_even_when_retried(analyst):
    case = surveyable_case()
    survey = start(case, analyst)
    assert survey.outcome == rules.IN_PROGRESS
    survey = services.survey_record(survey=survey, by=analyst, outcome=rules.LINE_DROPPED)
    again = services.survey_record(survey=survey, by=analyst, outcome=rules.LINE_DROPPED)  # a retry
    tasks = Task.objects.filter(kind=Task.Kind.WELFARE_CHECK)
    assert tasks.count() == 1
    task = tasks.get()
    assert task.urgent and task.case == case and task.status == Task.Status.OPEN
    assert task.assignee == case.owner and task.team == case.owning_team
    assert task.due_at <= timezone.now() + timedelta(minutes=services.WELFARE_CHECK_MINUTES)
    assert again.task == task and survey.finished_at is not None
    assert TimelineEntry.objects.filter(case=case, kind="survey", summary__contains="URGENT").count() == 1
    assert not SurveyAnswer.objects.exists()


def test_a_line_that_goes_dead_at_the_first_question_raises_the_task_at_once(analyst):
    survey = start(surveyable_case(), analyst, first_step=rules.LINE_DROPPED)
    assert survey.outcome == rules.LINE_DROPPED
    assert survey.task.kind == Task.Kind.WELFARE_CHECK and survey.task.urgent


def test_not_safe_to_talk_asks_nothing_and_books_a_call_back_for_the_caller(analyst):
    case = surveyable_case()
    survey = start(case, analyst, first_step=rules.NOT_SAFE)
    assert survey.outcome == rules.NOT_SAFE and survey.answers.count() == 0
    call_back = survey.task
    assert call_back.kind == Task.Kind.SURVEY_CALL_BACK and not call_back.urgent and call_back.assignee == analyst
    assert selectors.call_backs_for(viewer=analyst) == [call_back]
    assert not Task.objects.filter(kind=Task.Kind.WELFARE_CHECK).exists()
    # The next call that reaches the victim ends the call-back.
    services.survey_record(survey=start(case, analyst), by=analyst, outcome=rules.COMPLETED,
                           answers=complete_answers())
    call_back.refresh_from_db()
    assert call_back.status == Task.Status.DONE


def test_not_safe_during_the_questions_keeps_no_answers(analyst):
    survey = start(surveyable_case(), analyst)
    survey = services.survey_record(survey=survey, by=analyst, outcome=rules.NOT_SAFE, answers=complete_answers())
    assert survey.answers.count() == 0 and survey.task.kind == Task.Kind.SURVEY_CALL_BACK


def test_completed_answers_are_saved(analyst):
    survey = start(surveyable_case(), analyst)
    survey = services.survey_record(survey=survey, by=analyst, outcome=rules.COMPLETED,
                                    answers=complete_answers(overall__comment="They listened to me"))
    assert survey.outcome == rules.COMPLETED and survey.task is None
    assert survey.answers.count() == 13  # 5 satisfaction questions, 7 yes/no, 1 comment
    assert survey.answers.get(stage="overall", question="comment").value == "They listened to me"


def test_invalid_answers_save_nothing(analyst):
    survey = start(surveyable_case(), analyst)
    with pytest.raises(ValidationError) as caught:
        services.survey_record(survey=survey, by=analyst, outcome=rules.COMPLETED,
                               answers=complete_answers(call__satisfaction="", updates__kept_informed="maybe"))
    assert set(caught.value.message_dict) == {"call__satisfaction", "updates__kept_informed"}
    survey.refresh_from_db()
    assert survey.outcome == rules.IN_PROGRESS and survey.finished_at is None
    assert not SurveyAnswer.objects.exists()


def test_another_number_must_be_confirmed_safe_and_nothing_is_saved_until_it_is(analyst):
    case = surveyable_case()
    with pytest.raises(ValidationError) as caught:
        start(case, analyst, safe_number_used=False)
    assert "confirmed_safe" in caught.value.message_dict
    no_number = surveyable_case(safe_number=False, given_name="Kim")
    with pytest.raises(ValidationError) as caught:
        start(no_number, analyst, safe_number_used=True)
    assert "safe_number_used" in caught.value.message_dict
    assert not Survey.objects.exists()
    survey = start(no_number, analyst, safe_number_used=False, confirmed_safe=True)
    assert survey.confirmed_safe and not survey.safe_number_used


def test_a_restricted_victim_is_not_surveyed_from_the_list(analyst):
    case = surveyable_case(restricted=True)
    with pytest.raises(ValidationError):
        start(case, analyst)
    assert selectors.cases_due(viewer=analyst) == []


def test_only_permitted_users_make_surveys_and_only_the_caller_records_the_outcome(analyst):
    case = surveyable_case()
    with pytest.raises(PermissionDenied):
        start(case, factories.user_create(role="response_officer"))
    survey = start(case, analyst)
    other = factories.user_create(role="analyst")
    with pytest.raises(PermissionDenied):
        services.survey_record(survey=survey, by=other, outcome=rules.DECLINED)


def test_a_finished_survey_does_not_take_another_outcome(analyst):
    survey = services.survey_record(survey=start(surveyable_case(), analyst), by=analyst, outcome=rules.DECLINED)
    with pytest.raises(ValidationError):
        services.survey_record(survey=survey, by=analyst, outcome=rules.LINE_DROPPED)
    assert not Task.objects.filter(kind=Task.Kind.WELFARE_CHECK).exists()


def test_each_change_is_audited_without_the_comments(analyst):
    case = surveyable_case()
    survey = start(case, analyst)
    services.survey_record(survey=survey, by=analyst, outcome=rules.COMPLETED,
                           answers=complete_answers(call__comment="Secret words from the victim"))
    events = AuditEvent.objects.filter(object_type="insight.Survey", object_id=str(survey.public_id))
    assert [e.detail["step"] for e in events.order_by("id")] == ["survey started", "survey recorded"]
    assert all(e.subject_person_id == case.victim.person.public_id for e in events)
    assert not any("Secret" in str(e.detail) for e in AuditEvent.objects.all())


def due_now(analyst, now=None) -> set:
    return {row.case for row in selectors.cases_due(viewer=analyst, now=now)}


def test_cases_due_a_survey(analyst):
    """Due: closed recently or open long, with a usable safe number, not surveyed in the year. A call that
    did not reach the victim safely keeps them off everyone's list for a while (it used to put them back at
    once, so a second caller could ring straight after "not safe to talk"): not safe, 7 days; no answer, 1
    day (surveys.WAIT_AFTER_DAYS). The not-safe caller has the victim on their own call-back list."""
    due = surveyable_case(given_name="Due")
    open_long = surveyable_case(closed_days_ago=None, given_name="Open")
    surveyable_case(safe_number=False, given_name="Nonumber")
    recent = surveyable_case(given_name="Recent")
    services.survey_record(survey=start(recent, analyst), by=analyst, outcome=rules.DECLINED)
    not_safe = surveyable_case(given_name="Notsafe")
    start(not_safe, analyst, first_step=rules.NOT_SAFE)
    no_answer = surveyable_case(given_name="Noanswer")
    start(no_answer, analyst, first_step=rules.NO_ANSWER)
    assert due_now(analyst) == {due, open_long}
    event = AuditEvent.objects.filter(object_type="insight.SurveysDue").first()
    assert event is not None and event.action == "consultation"
    now = timezone.now()
    assert due_now(analyst, now + timedelta(days=1, minutes=1)) == {due, open_long, no_answer}
    assert due_now(analyst, now + timedelta(days=7, minutes=1)) == {due, open_long, no_answer, not_safe}
    assert [t.case for t in selectors.call_backs_for(viewer=analyst)] == [not_safe]


def test_a_dropped_line_keeps_the_victim_off_the_list_while_the_welfare_check_is_open(analyst):
    case = surveyable_case()
    survey = start(case, analyst, first_step=rules.LINE_DROPPED)
    later = timezone.now() + timedelta(days=30)
    assert due_now(analyst) == set() and due_now(analyst, later) == set()
    task_complete(task=survey.task, by=case.owner, outcome="The victim is safe")
    assert due_now(analyst) == set()  # still within the 7 days
    assert due_now(analyst, timezone.now() + timedelta(days=7, minutes=1)) == {case}


def test_a_call_under_way_keeps_the_victim_off_the_list_until_it_is_taken_as_abandoned(analyst):
    case = surveyable_case()
    start(case, analyst)
    assert due_now(analyst) == set()
    assert due_now(analyst, timezone.now() + timedelta(hours=rules.UNDER_WAY_HOURS, minutes=1)) == {case}


def test_a_victim_whose_safe_number_is_banned_is_not_listed_nor_offered_the_number(analyst):
    case = surveyable_case()
    person = case.victim.person
    ContactBan.objects.create(person=person, phone=person.safe_contact.phone, reason="Brought by a merge")
    assert due_now(analyst) == set()
    assert selectors.number_for(case) is None
    with pytest.raises(ValidationError) as caught:
        start(case, analyst, safe_number_used=True)
    assert "safe_number_used" in caught.value.message_dict and not Survey.objects.exists()


def test_a_second_survey_call_is_refused_while_one_is_under_way(analyst):
    case = surveyable_case()
    first = start(case, analyst)
    other = factories.user_create(role="analyst")
    for caller in (other, analyst):
        with pytest.raises(ValidationError) as caught:
            start(case, caller)
        assert "already on a survey call" in caught.value.message_dict["survey"][0]
    assert list(Survey.objects.all()) == [first]
    later = timezone.now() + timedelta(hours=rules.UNDER_WAY_HOURS, minutes=1)
    assert start(case, other, now=later).outcome == rules.IN_PROGRESS  # the first is taken as abandoned


def test_a_survey_is_refused_when_the_victim_is_not_due(analyst):
    other = factories.user_create(role="analyst")
    no_answer = surveyable_case(given_name="Noanswer")
    start(no_answer, analyst, first_step=rules.NO_ANSWER)
    with pytest.raises(ValidationError) as caught:
        start(no_answer, other)
    assert "no answer" in caught.value.message_dict["survey"][0]
    assert start(no_answer, other, now=timezone.now() + timedelta(days=1, minutes=1))
    declined = surveyable_case(given_name="Declined")
    start(declined, analyst, first_step=rules.DECLINED)
    with pytest.raises(ValidationError) as caught:
        start(declined, other, now=timezone.now() + timedelta(days=100))
    assert "declined" in caught.value.message_dict["survey"][0]
    dropped = surveyable_case(given_name="Dropped")
    start(dropped, analyst, first_step=rules.LINE_DROPPED)
    with pytest.raises(ValidationError) as caught:
        start(dropped, analyst, now=timezone.now() + timedelta(days=30))
    assert "urgent check" in caught.value.message_dict["survey"][0]


def test_after_not_safe_only_the_caller_with_the_call_back_may_call_again(analyst):
    case = surveyable_case()
    start(case, analyst, first_step=rules.NOT_SAFE)
    with pytest.raises(ValidationError) as caught:
        start(case, factories.user_create(role="analyst"))
    assert "not safe" in caught.value.message_dict["survey"][0]
    assert start(case, analyst).outcome == rules.IN_PROGRESS


def test_the_analysis_reads_the_surveys_of_the_period_and_audits_comments(analyst):
    case = surveyable_case(risk_level="high")
    services.survey_record(survey=start(case, analyst), by=analyst, outcome=rules.COMPLETED,
                           answers=complete_answers(updates__comment="Nobody kept me informed"))
    start(surveyable_case(given_name="Gone"), analyst, first_step=rules.LINE_DROPPED)
    now = timezone.now()
    analysis = selectors.survey_analysis(viewer=analyst, start=now - timedelta(days=1), end=now + timedelta(days=1))
    assert analysis.calls == 2 and analysis.completed == 1
    assert [(s.label, s.count, s.total) for s in analysis.by_risk] == [("High", 1, 1)]
    assert [(s.label, s.count) for s in analysis.by_team] == [(case.owning_team.name, 1)]
    assert analysis.examples_shown
    assert {t.code: t.examples for t in analysis.themes}["kept_informed"] == ("Nobody kept me informed",)
    assert AuditEvent.objects.filter(object_type="insight.SurveyAnalysis", action="consultation").count() == 1
    assert selectors.pack_survey_counts(start=now - timedelta(days=1), end=now + timedelta(days=1)) == (1, 1)
    # A pack reader who may not read comments gets the counts without them.
    control = factories.user_create(role="control_room_supervisor")
    plain = selectors.survey_analysis(viewer=control, start=now - timedelta(days=1), end=now + timedelta(days=1))
    assert not plain.examples_shown and all(t.examples == () for t in plain.themes)
    with pytest.raises(PermissionDenied):
        selectors.survey_analysis(viewer=factories.user_create(role="response_officer"), start=now, end=now)
