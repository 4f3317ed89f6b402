"""Completing an assessment: answers saved as given with how they were obtained, scoring as it goes,
the officer's grading and submission."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.factories import crime_create, incident_create, person_record_create, user_create
from tests.risk.test_scoring import DEFINITION
from vigil.audit.models import AuditEvent
from vigil.risk import services
from vigil.risk.models import Answer, GradingDecision, Instrument

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 26, 22, 0, tzinfo=UTC)


@pytest.fixture
def instrument():
    Instrument.objects.filter(is_default=True).update(is_default=False)
    return Instrument.objects.create(code="t", version="1", name="Test", definition=DEFINITION, is_default=True,
                                     loaded_at=NOW)


@pytest.fixture
def officer():
    return user_create(role="response_officer")


@pytest.fixture
def assessment(instrument, officer):
    victim = person_record_create()
    incident = incident_create(received_at=NOW, victim=victim, status="open")
    return services.assessment_start(incident=incident, victim=victim, by=officer, now=NOW)


def answer_all(assessment, officer, *, yes: int, obtained="asked_at_scene", follow_up=True):
    for n in range(1, 28):
        services.answer_save(assessment=assessment, by=officer, question=f"q{n}", value="yes" if n <= yes else "no",
                             obtained=obtained, now=NOW)
    if yes >= 8 and follow_up:
        services.answer_save(assessment=assessment, by=officer, question="s1", value="yes", obtained=obtained, now=NOW)


def test_starting_twice_continues_the_same_assessment(assessment, officer):
    again = services.assessment_start(incident=assessment.incident, victim=assessment.victim, by=officer, now=NOW)
    assert again == assessment and assessment.status == "in_progress" and assessment.instrument_version.code == "t"


def test_an_assessment_keeps_the_instrument_version_it_was_started_with(assessment):
    Instrument.objects.filter(pk=assessment.instrument_version_id).update(is_default=False)
    Instrument.objects.create(code="t", version="2", name="Test 2", definition=DEFINITION, is_default=True,
                              loaded_at=NOW)
    assessment.refresh_from_db()
    assert assessment.instrument_version.version == "1"


def test_each_answer_is_saved_with_how_it_was_obtained_and_the_victims_words(assessment, officer):
    services.answer_save(assessment=assessment, by=officer, question="q2", value="yes", obtained="victim_declined",
                         comment="She said: 'he will find me'", now=NOW)
    answer = Answer.objects.get(assessment=assessment, question="q2")
    assert (answer.value, answer.obtained, answer.comment) == ("yes", "victim_declined", "She said: 'he will find me'")
    services.answer_save(assessment=assessment, by=officer, question="q2", value="not_known",
                         obtained="without_victim", now=NOW)
    assert Answer.objects.filter(assessment=assessment).count() == 1
    assert Answer.objects.get(assessment=assessment, question="q2").value == "not_known"


def test_the_yes_count_and_indication_follow_every_answer(assessment, officer):
    answer_all(assessment, officer, yes=14)
    assessment.refresh_from_db()
    assert (assessment.yes_count, assessment.indicated_grade) == (14, "high")


@pytest.mark.parametrize(("question", "value", "obtained"), [("q99", "yes", "asked_at_scene"),
                                                             ("q1", "maybe", "asked_at_scene"),
                                                             ("q1", "yes", "guessed")])
def test_a_bad_answer_is_refused_and_nothing_is_saved(assessment, officer, question, value, obtained):
    with pytest.raises(ValidationError):
        services.answer_save(assessment=assessment, by=officer, question=question, value=value, obtained=obtained)
    assert not Answer.objects.filter(assessment=assessment).exists()


def test_only_the_officer_completing_it_may_answer(assessment):
    with pytest.raises(PermissionDenied):
        services.answer_save(assessment=assessment, by=user_create(role="response_officer"), question="q1",
                             value="yes", obtained="asked_at_scene")


def test_every_answer_is_audited_without_its_value(assessment, officer):
    services.answer_save(assessment=assessment, by=officer, question="q5", value="yes", obtained="asked_at_scene",
                         comment="private words", now=NOW)
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event.detail == {"question": "q5"} and event.subject_person_id == assessment.victim.person.public_id


def test_submission_needs_every_question_answered_not_known_included(assessment, officer):
    services.answer_save(assessment=assessment, by=officer, question="q1", value="not_known",
                         obtained="asked_at_scene", now=NOW)
    with pytest.raises(ValidationError) as error:
        services.assessment_submit(assessment=assessment, by=officer, grade="standard", rationale="x" * 30, now=NOW)
    assert "26 questions still to answer" in str(error.value.message_dict["answers"])


def test_a_follow_up_section_must_be_answered_once_triggered(assessment, officer):
    answer_all(assessment, officer, yes=8, follow_up=False)  # q8 yes opens the stalking questions
    assert [q.id for q in services.unanswered(assessment)] == ["s1"]


def test_14_yes_answers_cannot_be_graded_below_high(assessment, officer):
    answer_all(assessment, officer, yes=14)
    with pytest.raises(ValidationError) as error:
        services.assessment_submit(assessment=assessment, by=officer, grade="medium",
                                   rationale="She seemed calm when we left the address.", now=NOW)
    assert "cannot be below high" in str(error.value.message_dict["grade"])
    decision = services.assessment_submit(assessment=assessment, by=officer, grade="high", now=NOW)
    assert decision.rationale == "" and decision.indicated_grade == "high"


def test_13_yes_answers_are_graded_by_judgement_with_reasons(assessment, officer):
    answer_all(assessment, officer, yes=13)
    with pytest.raises(ValidationError) as error:
        services.assessment_submit(assessment=assessment, by=officer, grade="medium", rationale="", now=NOW)
    assert "rationale" in error.value.message_dict
    services.assessment_submit(assessment=assessment, by=officer, grade="medium",
                               rationale="Escalating threats over the last month; she fears separation.", now=NOW)
    assessment.refresh_from_db()
    assert assessment.grade == "medium" and assessment.status == "submitted"


def test_submission_starts_the_supervision_clock_and_routes_to_the_specialist_unit(assessment, officer):
    crime_create(incident=assessment.incident, group="assault_with_injury")
    answer_all(assessment, officer, yes=10)
    services.assessment_submit(assessment=assessment, by=officer, grade="medium",
                               rationale="Injury today and a recent separation raise the risk.", now=NOW)
    assessment.refresh_from_db()
    assert assessment.supervision_due_at == NOW + timedelta(hours=24)
    assert assessment.specialist_reasons == ["Medium risk with a serious offence (assault with injury)"]
    assert GradingDecision.objects.filter(assessment=assessment, stage="officer").count() == 1


def test_a_submitted_assessment_can_no_longer_be_changed(assessment, officer):
    answer_all(assessment, officer, yes=14)
    services.assessment_submit(assessment=assessment, by=officer, grade="high", now=NOW)
    with pytest.raises(ValidationError):
        services.answer_save(assessment=assessment, by=officer, question="q1", value="no", obtained="asked_at_scene")


def test_call_outs_in_the_last_12_months_are_counted_at_the_start(instrument, officer):
    victim = person_record_create()
    for days in (30, 200, 400):
        incident_create(received_at=NOW - timedelta(days=days), victim=person_record_create(person=victim.person))
    incident = incident_create(received_at=NOW, victim=victim, status="open")
    assessment = services.assessment_start(incident=incident, victim=victim, by=officer, now=timezone.now())
    assert assessment.callouts_12m == 3  # two earlier in the window and this one


def test_history_signals_show_previous_incidents_escalation_and_a_repeat_marac(instrument, officer):
    from datetime import date

    from tests.factories import marker_create, risk_assessment_create
    from vigil.risk.selectors import history_signals

    victim = person_record_create()
    for days in (20, 100):
        earlier = incident_create(received_at=NOW - timedelta(days=days),
                                  victim=person_record_create(person=victim.person))
    risk_assessment_create(incident=earlier, victim=victim, grade="high")
    marker_create(kind="marac", person=victim.person, starts_on=date(2026, 3, 1))
    incident = incident_create(received_at=NOW, victim=victim, status="open")
    assessment = services.assessment_start(incident=incident, victim=victim, by=officer, now=NOW)

    signals = history_signals(assessment=assessment, viewer=officer)

    assert (signals.previous_incidents, signals.incidents_12m, signals.days_since_last) == (2, 2, 20)
    assert (signals.previous_grade, signals.callouts_12m, signals.potential_escalation) == ("high", 3, True)
    assert (signals.last_marac, signals.repeat_marac) == (date(2026, 3, 1), True)
