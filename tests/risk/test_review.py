"""Supervision and specialist review: services and selectors (risk.review)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from vigil.audit.models import AuditEvent
from vigil.risk import review
from vigil.risk.models import Answer, GradingDecision, Instrument, ReviewOpening

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
RATIONALE = "The answers and the history support this grading."

# Sixteen counted questions; 14 or more "yes" indicate high and set the floor at high.
DEFINITION = {
    "code": "review-test", "version": "1", "name": "Review test instrument",
    "sections": [{"id": "main", "title": "Current situation", "questions": [
        {"id": f"q{n}", "number": str(n), "text": f"Question {n}?", "why": "Because.",
         **({"options": [{"id": "kill", "label": "Afraid of being killed"}]} if n == 3 else {})}
        for n in range(1, 17)]}],
    "grading": {"rules": [{"yes_count_at_least": 14, "indicates": "high"}],
                "floor": {"yes_count_at_least": 14, "grade": "high"}},
}


@pytest.fixture
def instrument():
    return Instrument.objects.create(code="review-test", version="1", name="Review test", definition=DEFINITION,
                                     loaded_at=NOW)


@pytest.fixture
def officer():
    return factories.user_create(role="response_officer")


@pytest.fixture
def supervisor():
    return factories.user_create(role="supervisor")


@pytest.fixture
def specialist():
    return factories.user_create(role="specialist_investigator")


def submitted(*, officer, grade="medium", instrument=None, yes=0, submitted_at=NOW - timedelta(hours=2),
              due_at="default", offence_group=None, other_factors=None, reasons=None, yes_count=None, **fields):
    """A submitted assessment with its officer decision, as the submit service leaves it."""
    victim = factories.person_record_create()
    incident = factories.incident_create(received_at=submitted_at - timedelta(hours=1), victim=victim)
    if offence_group:
        factories.crime_create(incident=incident, group=offence_group)
    assessment = factories.risk_assessment_create(
        incident=incident, victim=victim, grade=grade, officer=officer, yes_count=yes if instrument else yes_count, instrument_version=instrument, submitted_at=submitted_at,
        supervision_due_at=submitted_at + timedelta(hours=24) if due_at == "default" else due_at,
        indicated_grade="high" if yes >= 14 else "", other_factors=other_factors,
        specialist_reasons=reasons, victim_view="He said he would kill me if I called you.", **fields)
    if instrument:
        for n in range(1, 17):
            Answer.objects.create(assessment=assessment, question=f"q{n}", value="yes" if n <= yes else "no",
                                  obtained="asked_at_scene", comment="He hit me with a pan" if n == 1 else "",
                                  options=["kill"] if n == 3 else None, answered_at=submitted_at,
                                  answered_by=officer)
    GradingDecision.objects.create(assessment=assessment, stage="officer", grade=grade, decided_by=officer,
                                   decided_at=submitted_at)
    return assessment


def opened(assessment, by, *, stage="supervisor", at=NOW - timedelta(minutes=10)):
    return review.review_open(assessment=assessment, by=by, stage=stage, now=at)


def supervise(assessment, by, grade, rationale=RATIONALE, at=NOW):
    return review.supervision_decide(assessment=assessment, by=by, grade=grade, rationale=rationale, now=at)


def errors_of(excinfo) -> str:
    return " ".join(excinfo.value.messages)


# --- Supervision ---------------------------------------------------------------------------------------

def test_no_decision_without_opening_the_whole_assessment(officer, supervisor):
    assessment = submitted(officer=officer)
    with pytest.raises(ValidationError) as excinfo:
        supervise(assessment, supervisor, "medium")
    assert "Open and read the whole assessment first" in errors_of(excinfo)
    assert not assessment.decisions.filter(stage="supervisor").exists()


def test_another_supervisors_opening_does_not_count(officer, supervisor):
    assessment = submitted(officer=officer)
    opened(assessment, factories.user_create(role="supervisor"))
    with pytest.raises(ValidationError, match="Open and read"):
        supervise(assessment, supervisor, "medium")


def test_opening_is_kept_and_audited_as_a_consultation_of_the_victim(officer, supervisor):
    assessment = submitted(officer=officer)
    opening = opened(assessment, supervisor)
    assert ReviewOpening.objects.get() == opening and opening.stage == "supervisor"
    event = AuditEvent.objects.get(action="consultation", actor=supervisor)
    assert event.subject_person_id == assessment.victim.person.public_id
    assert event.object_id == str(assessment.public_id)


@pytest.mark.parametrize("grade", ["medium", "high"])  # agreeing and amending alike
@pytest.mark.parametrize("rationale", ["", "   ", "Agree."])
def test_a_rationale_of_at_least_a_sentence_is_needed_to_agree_or_amend(officer, supervisor, grade, rationale):
    assessment = submitted(officer=officer, grade="medium")
    opened(assessment, supervisor)
    with pytest.raises(ValidationError) as excinfo:
        supervise(assessment, supervisor, grade, rationale=rationale)
    assert "rationale" in excinfo.value.message_dict
    assert "rationale" in excinfo.value.message_dict["rationale"][0]


def test_a_grade_must_be_chosen(officer, supervisor):
    assessment = submitted(officer=officer)
    opened(assessment, supervisor)
    with pytest.raises(ValidationError) as excinfo:
        supervise(assessment, supervisor, "")
    assert excinfo.value.message_dict["grade"] == ["Choose standard, medium or high."]


def test_agreeing_is_a_decision_with_the_time_spent(officer, supervisor):
    assessment = submitted(officer=officer, grade="medium")
    opening = opened(assessment, supervisor, at=NOW - timedelta(minutes=7))
    opened(assessment, supervisor, at=NOW - timedelta(minutes=1))  # a reload does not shorten the time
    decision = supervise(assessment, supervisor, "medium")
    assert decision.stage == "supervisor" and decision.grade == decision.previous_grade == "medium"
    assert not decision.is_amendment and decision.opened_at == opening.opened_at
    assert AuditEvent.objects.filter(action="collection", actor=supervisor, detail__step="supervised").exists()


def test_an_amendment_is_a_new_decision_and_the_old_one_is_kept(officer, supervisor):
    assessment = submitted(officer=officer, grade="standard")
    opened(assessment, supervisor)
    decision = supervise(assessment, supervisor, "medium", rationale="Separation last month and stalking: medium.")
    assessment.refresh_from_db()
    assert assessment.grade == "medium"
    assert [(d.stage, d.grade, d.previous_grade) for d in assessment.decisions.all()] == [
        ("officer", "standard", ""), ("supervisor", "medium", "standard")]
    assert decision.is_amendment and decision.rationale.startswith("Separation")
    assert AuditEvent.objects.filter(action="alteration", actor=supervisor, detail__amended=True).exists()


def test_the_floor_refuses_a_grade_below_high_with_14_yes(officer, supervisor, instrument):
    assessment = submitted(officer=officer, grade="high", instrument=instrument, yes=14)
    opened(assessment, supervisor)
    with pytest.raises(ValidationError) as excinfo:
        supervise(assessment, supervisor, "medium")
    assert "cannot be below high" in excinfo.value.message_dict["grade"][0]
    assert supervise(assessment, supervisor, "high").grade == "high"


def test_the_floor_uses_the_recorded_count_when_no_definition_is_kept(officer, supervisor):
    assessment = submitted(officer=officer, grade="high", yes_count=15)
    opened(assessment, supervisor)
    with pytest.raises(ValidationError, match="cannot be below high"):
        supervise(assessment, supervisor, "standard")


def test_13_yes_may_be_graded_by_judgement(officer, supervisor, instrument):
    assessment = submitted(officer=officer, grade="high", instrument=instrument, yes=13)
    opened(assessment, supervisor)
    assert supervise(assessment, supervisor, "medium").grade == "medium"


def test_a_supervisor_may_not_supervise_their_own_assessment(supervisor):
    assessment = submitted(officer=supervisor)
    opened(assessment, supervisor)
    with pytest.raises(ValidationError, match="You made this assessment"):
        supervise(assessment, supervisor, "medium")


def test_a_second_supervisor_decision_is_refused(officer, supervisor):
    assessment = submitted(officer=officer)
    opened(assessment, supervisor)
    supervise(assessment, supervisor, "medium")
    other = factories.user_create(role="supervisor")
    opened(assessment, other)
    with pytest.raises(ValidationError, match="already decided"):
        supervise(assessment, other, "high")
    assert assessment.decisions.filter(stage="supervisor").count() == 1


def test_an_assessment_still_being_completed_cannot_be_supervised(officer, supervisor):
    assessment = submitted(officer=officer)
    assessment.status = "in_progress"
    assessment.save()
    opened(assessment, supervisor)
    with pytest.raises(ValidationError, match="not been submitted"):
        supervise(assessment, supervisor, "medium")


def test_amending_to_medium_with_a_serious_offence_routes_to_the_specialist_unit(officer, supervisor):
    assessment = submitted(officer=officer, grade="standard", offence_group="assault_with_injury", reasons=[])
    opened(assessment, supervisor)
    supervise(assessment, supervisor, "medium")
    assessment.refresh_from_db()
    assert assessment.specialist_reasons == ["Medium risk with a serious offence (assault with injury)"]


def test_amending_high_down_keeps_honour_based_abuse_routing_and_drops_high(officer, supervisor):
    assessment = submitted(officer=officer, grade="high", other_factors=["honour_based_abuse"],
                           reasons=["Graded high risk", "So-called honour-based abuse"])
    opened(assessment, supervisor)
    supervise(assessment, supervisor, "standard", rationale="No serious harm indicated; judgement standard.")
    assessment.refresh_from_db()
    assert assessment.specialist_reasons == ["So-called honour-based abuse"]


# --- Queues --------------------------------------------------------------------------------------------

def test_supervision_queue_overdue_first_then_due_soonest(officer, supervisor):
    later = submitted(officer=officer, submitted_at=NOW - timedelta(hours=1))
    overdue = submitted(officer=officer, submitted_at=NOW - timedelta(hours=30))
    sooner = submitted(officer=officer, submitted_at=NOW - timedelta(hours=20))
    no_due = submitted(officer=officer, submitted_at=NOW - timedelta(hours=25), due_at=None)  # due = +24h
    done = submitted(officer=officer)
    opened(done, supervisor)
    supervise(done, supervisor, "medium")
    factories.risk_assessment_create(incident=later.incident, victim=later.victim, status="in_progress", grade="",
                                     officer=officer)
    queue = review.supervision_queue(viewer=supervisor, now=NOW)
    assert [r.assessment for r in queue.rows] == [overdue, no_due, sooner, later]
    assert [r.overdue for r in queue.rows] == [True, True, False, False]
    assert queue.rows[1].due_at == no_due.submitted_at + review.SUPERVISION_DEADLINE
    assert queue.total == 4 and queue.overdue == 2


def test_supervision_queue_marks_the_viewers_own_assessments(supervisor):
    own = submitted(officer=supervisor)
    (row,) = review.supervision_queue(viewer=supervisor, now=NOW).rows
    assert row.assessment == own and row.own


def test_specialist_queue_lists_routed_supervised_assessments_and_waiting_ones_apart(officer, supervisor,
                                                                                   specialist):
    ready = submitted(officer=officer, grade="high", reasons=["Graded high risk"])
    waiting = submitted(officer=officer, grade="medium", other_factors=["fgm"], reasons=["Female genital mutilation (FGM)"])
    not_routed = submitted(officer=officer, grade="standard", reasons=[])
    reviewed = submitted(officer=officer, grade="high", reasons=["Graded high risk"])
    for a in (ready, not_routed, reviewed):
        opened(a, supervisor)
        supervise(a, supervisor, a.grade)
    opened(reviewed, specialist, stage="specialist")
    review.specialist_decide(assessment=reviewed, by=specialist, grade="high", rationale=RATIONALE,
                             victim_contacted=True, now=NOW)
    queue = review.specialist_queue(viewer=specialist, now=NOW)
    assert [r.assessment for r in queue.rows] == [ready]
    assert [r.assessment for r in queue.waiting] == [waiting]
    assert queue.total == 1


# --- Specialist review ---------------------------------------------------------------------------------

@pytest.fixture
def routed(officer, supervisor):
    assessment = submitted(officer=officer, grade="high", reasons=["Graded high risk"])
    opened(assessment, supervisor)
    supervise(assessment, supervisor, "high")
    return assessment


def specialist_decide(assessment, by, grade, *, contacted, rationale=RATIONALE):
    return review.specialist_decide(assessment=assessment, by=by, grade=grade, rationale=rationale,
                                    victim_contacted=contacted, now=NOW)


def test_specialist_needs_an_opening_a_rationale_and_to_say_if_the_victim_was_contacted(routed, specialist):
    with pytest.raises(ValidationError, match="Open and read"):
        specialist_decide(routed, specialist, "high", contacted=True)
    opened(routed, specialist, stage="specialist")
    with pytest.raises(ValidationError) as excinfo:
        specialist_decide(routed, specialist, "high", contacted=None, rationale="")
    assert set(excinfo.value.message_dict) == {"rationale", "victim_contacted"}


def test_specialist_downgrade_without_contact_is_flagged(routed, specialist, supervisor):
    opened(routed, specialist, stage="specialist")
    decision = specialist_decide(routed, specialist, "medium", contacted=False,
                                 rationale="Suspect remanded in custody; risk is lower now.")
    assert decision.flagged_to_manager and decision.previous_grade == "high" and decision.victim_contacted is False
    routed.refresh_from_db()
    assert routed.grade == "medium"
    assert [d.stage for d in routed.decisions.all()] == ["officer", "supervisor", "specialist"]
    assert review.downgrades_flagged(viewer=supervisor, now=NOW) == [decision]
    assert review.downgrades_flagged(viewer=specialist, now=NOW) == [decision]
    assert review.downgrades_flagged(viewer=factories.user_create(role="analyst"), now=NOW) == []
    assert review.downgrades_flagged(viewer=supervisor, now=NOW + review.FLAG_SHOWN_FOR + timedelta(days=1)) == []
    assert AuditEvent.objects.filter(actor=specialist, detail__flagged_to_manager=True).exists()


def test_specialist_downgrade_with_contact_is_not_flagged(routed, specialist):
    opened(routed, specialist, stage="specialist")
    decision = specialist_decide(routed, specialist, "medium", contacted=True,
                                 rationale="Spoke to the victim: she has moved to her sister's.")
    assert not decision.flagged_to_manager


def test_specialist_upgrade_or_agreement_without_contact_is_not_flagged(officer, supervisor, specialist):
    assessment = submitted(officer=officer, grade="medium", offence_group="sexual_offences",
                           reasons=["Medium risk with a serious offence (sexual offences)"])
    opened(assessment, supervisor)
    supervise(assessment, supervisor, "medium")
    opened(assessment, specialist, stage="specialist")
    assert not specialist_decide(assessment, specialist, "high", contacted=False).flagged_to_manager


def test_specialist_review_waits_for_supervision_and_for_routing(officer, specialist):
    waiting = submitted(officer=officer, grade="high", reasons=["Graded high risk"])
    opened(waiting, specialist, stage="specialist")
    with pytest.raises(ValidationError, match="supervisor must review"):
        specialist_decide(waiting, specialist, "high", contacted=True)
    not_routed = submitted(officer=officer, grade="standard", reasons=[])
    opened(not_routed, specialist, stage="specialist")
    with pytest.raises(ValidationError, match="not routed"):
        specialist_decide(not_routed, specialist, "standard", contacted=True)


def test_specialist_may_not_go_below_the_floor(officer, supervisor, specialist, instrument):
    assessment = submitted(officer=officer, grade="high", instrument=instrument, yes=15, reasons=["Graded high risk"])
    opened(assessment, supervisor)
    supervise(assessment, supervisor, "high")
    opened(assessment, specialist, stage="specialist")
    with pytest.raises(ValidationError, match="cannot be below high"):
        specialist_decide(assessment, specialist, "medium", contacted=True)


# --- The report ----------------------------------------------------------------------------------------

def test_report_per_supervisor_time_spent_amended_and_late(officer):
    careful, quick = (factories.user_create(role="supervisor", username=n) for n in ("careful", "quick"))
    # careful: 3 reviews of 10, 20, 30 minutes; one amended; one decided after the deadline.
    for minutes, grade, hours_ago in ((10, "medium", 2), (20, "high", 3), (30, "medium", 30)):
        a = submitted(officer=officer, grade="medium", submitted_at=NOW - timedelta(hours=hours_ago))
        opened(a, careful, at=NOW - timedelta(minutes=minutes))
        supervise(a, careful, grade)
    # quick: 5 reviews of 1 minute each, none amended: possible tick-box supervision.
    for _ in range(5):
        a = submitted(officer=officer, grade="standard")
        opened(a, quick, at=NOW - timedelta(minutes=1))
        supervise(a, quick, "standard")
    # Outside the period: not counted.
    a = submitted(officer=officer, submitted_at=NOW - timedelta(days=40))
    opened(a, careful, at=NOW - timedelta(days=39, minutes=1))
    supervise(a, careful, "medium", at=NOW - timedelta(days=39))
    submitted(officer=officer, submitted_at=NOW - timedelta(hours=30))  # awaiting and overdue now

    report = review.supervision_report(period_from=date(2026, 3, 1), period_to=date(2026, 3, 10), now=NOW)
    rows = {r.name: r for r in report.rows}
    assert report.rows[0].name == "quick"  # flagged first
    c, q = rows["careful"], rows["quick"]
    assert (c.reviews, c.median_minutes, c.mean_minutes, c.amended, c.late) == (3, 20.0, 20.0, 1, 1)
    assert c.amended_share == pytest.approx(1 / 3) and c.late_share == pytest.approx(1 / 3)
    assert not c.possible_tick_box
    assert (q.reviews, q.median_minutes, q.amended, q.late) == (5, 1.0, 0, 0) and q.possible_tick_box
    assert report.reviews == 8 and report.awaiting_now == 1 and report.overdue_now == 1


def test_few_quick_reviews_are_not_flagged(officer, supervisor):
    a = submitted(officer=officer)
    opened(a, supervisor, at=NOW - timedelta(seconds=30))
    supervise(a, supervisor, "medium")
    (row,) = review.supervision_report(period_from=date(2026, 3, 10), period_to=date(2026, 3, 10), now=NOW).rows
    assert row.median_minutes == 0.5 and not row.possible_tick_box


# --- The whole assessment ------------------------------------------------------------------------------

def test_summary_shows_every_answer_with_how_obtained_and_the_victims_words(officer, instrument):
    assessment = submitted(officer=officer, grade="high", instrument=instrument, yes=14,
                           other_factors=["fgm"], safety_measures=["code_word_agreed"])
    summary = review.assessment_summary(assessment)
    (section,) = summary["sections"]
    assert len(section.lines) == 16 and section.lines[0].comment == "He hit me with a pan"
    assert section.lines[0].obtained_label == "Asked of the victim at the scene"
    assert section.lines[2].options == ["Afraid of being killed"]
    assert summary["floor"] == "high" and summary["other_factors"] == ["Female genital mutilation (FGM)"]
    assert summary["safety_measures"] == ["Code word agreed for future calls"]
    assert [d.stage for d in summary["decisions"]] == ["officer"]


def test_summary_without_a_definition_says_answers_not_recorded(officer):
    summary = review.assessment_summary(submitted(officer=officer))
    assert summary["sections"] is None


def test_history_loaded_without_a_submission_is_not_waiting_for_a_supervisor(supervisor):
    """Imported or generated assessments (no submission time, no officer) are decisions already made."""
    victim = factories.person_record_create()
    incident = factories.incident_create(received_at=NOW - timedelta(days=400), victim=victim)
    factories.risk_assessment_create(incident=incident, victim=victim, grade="high", officer=None)

    assert review.supervision_queue(viewer=supervisor, now=NOW).rows == []
