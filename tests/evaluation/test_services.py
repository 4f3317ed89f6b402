"""The evaluation report and the history signal's versions, on small hand-made data with known answers."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.factories import (
    answer_create,
    da_incident_with_assessment_create,
    grading_decision_create,
    incident_create,
    person_record_create,
    user_create,
)
from vigil.audit.models import AuditEvent
from vigil.evaluation.models import EvaluationPolicy, HistoryModelVersion
from vigil.evaluation.outcomes import Period
from vigil.evaluation.services import (
    EvaluationError,
    FairnessGuardFailed,
    evaluation_run,
    history_model_switch_on,
    history_model_train,
    history_signal_for,
)
from vigil.people.models import Person

pytestmark = pytest.mark.django_db
JANUARY_2012 = Period(date(2012, 1, 1), date(2012, 1, 31))


def at(y, m, d, h=12):
    return datetime(y, m, d, h, tzinfo=UTC)


def data_end():
    incident_create(domestic_abuse=False, received_at=at(2014, 12, 31))


@pytest.fixture
def six_victims():
    """Six victims assessed in January 2012, graded high, high, medium, standard, standard, medium; the first
    three come back in March (the second with an assault with injury)."""
    grades = ("high", "high", "medium", "standard", "standard", "medium")
    yes_counts = (16, 12, 8, 3, 15, 6)
    assessments = []
    for number, (grade, yes) in enumerate(zip(grades, yes_counts, strict=True)):
        victim = Person.objects.create()
        _, assessment = da_incident_with_assessment_create(victim=victim, suspect=Person.objects.create(),
                                                           at=at(2012, 1, 2 + number), grade=grade, yes_count=yes)
        assessments.append(assessment)
        if number < 3:
            da_incident_with_assessment_create(victim=victim, at=at(2012, 3, 2 + number),
                                               crime_group="assault_with_injury" if number == 1 else None)
    data_end()
    return assessments


def predictor(report, key):
    return next(result for result in report.predictors if result.key == key)


def test_the_officers_grading_judged_by_hand(six_victims):
    report = evaluation_run(period=JANUARY_2012, outcome="further_incident", horizon_months=3)
    assert (report.assessments, report.followed_up, report.harmed) == (6, 6, 3)
    officer = predictor(report, "officer_grading")
    # Harmed graded 2, 2, 1 and unharmed 0, 0, 1: 8 of the 9 pairs ranked right, one tie: 8.5 / 9.
    assert officer.auc.auc == pytest.approx(8.5 / 9)
    medium, high = officer.thresholds
    assert (medium.sensitivity.count, medium.sensitivity.total, medium.specificity.count) == (3, 3, 2)
    assert (high.sensitivity.count, high.specificity.count, high.specificity.total) == (2, 3, 3)
    assert [(c.grade, c.count, c.harmed.count) for c in officer.calibration] == [
        ("standard", 2, 0), ("medium", 2, 1), ("high", 2, 2)]
    # The one seriously harmed (an assault with injury within 3 months) had been graded high.
    assert (officer.serious_harm_graded_high.count, officer.serious_harm_graded_high.total) == (1, 1)


def test_an_outcome_no_one_suffered_is_reported_as_not_measurable_not_as_a_number(six_victims):
    report = evaluation_run(period=JANUARY_2012, outcome="homicide_or_near_fatal", horizon_months=3)
    assert (report.assessments, report.followed_up, report.harmed) == (6, 6, 0)
    officer = predictor(report, "officer_grading")
    assert officer.auc is None and officer.thresholds == () and officer.harmed == 0


def test_the_yes_count_supervisor_and_questions(six_victims):
    grading_decision_create(assessment=six_victims[0], stage="supervisor", grade="medium", previous_grade="high")
    grading_decision_create(assessment=six_victims[3], stage="supervisor", grade="high", previous_grade="standard")
    for assessment, value in zip(six_victims, ("yes", "yes", "no", "no", "yes", "not_known"), strict=True):
        answer_create(assessment=assessment, question="q1", value=value)
    report = evaluation_run(period=JANUARY_2012, outcome="further_incident", horizon_months=3)
    yes_count = predictor(report, "yes_count")
    # Harmed 16, 12, 8 against unharmed 3, 15, 6: 7 of the 9 pairs ranked right.
    assert yes_count.auc.auc == pytest.approx(7 / 9)
    (visible,) = yes_count.thresholds  # 14 or more
    assert (visible.threshold, visible.sensitivity.count, visible.specificity.count) == ("14+", 1, 2)
    supervisor = predictor(report, "supervisor_grading")
    assert supervisor.count == 2 and supervisor.auc is None  # one harmed, one not: too few for an AUC
    question = predictor(report, "question:q1")
    # "Not known" is left out: harmed yes, yes, no against unharmed no, yes. Of the 6 pairs, yes over no
    # twice (2), yes against yes twice (ties, 1), no against no once (a tie, 0.5): 3.5 of 6.
    assert question.count == 5 and question.auc.auc == pytest.approx(3.5 / 6)


def test_subgroups_and_the_audit(six_victims):
    viewer = user_create(role="supervisor")
    report = evaluation_run(period=JANUARY_2012, outcome="further_incident", horizon_months=3, viewer=viewer)
    sexes = [group for group in report.subgroups if group.attribute == "sex"]
    assert [(g.group, g.count, g.harmed) for g in sexes] == [("F", 6, 3)]
    assert sexes[0].aucs["officer_grading"].auc == pytest.approx(8.5 / 9)
    event = AuditEvent.objects.get(object_type="evaluation.Report")
    assert (event.action, event.actor_id, event.detail["assessments"]) == ("consultation", viewer.pk, 6)


def test_an_unknown_outcome_is_refused(six_victims):
    with pytest.raises(EvaluationError):
        evaluation_run(period=JANUARY_2012, outcome="homicide", horizon_months=3)


def cohort(year: int, size: int = 60):
    """Victims assessed through `year`'s first months: those with two earlier incidents mostly come back
    within 12 months, the others mostly not (a history signal to recover)."""
    for number in range(size):
        victim = Person.objects.create()
        index_at = at(year, 1, 1) + timedelta(days=2 * number)
        earlier = number % 3
        for back in range(earlier):  # incidents without an assessment: only the index ones are in the periods
            incident_create(received_at=index_at - timedelta(days=40 * (back + 1)),
                            victim=person_record_create(person=victim))
        da_incident_with_assessment_create(victim=victim, suspect=Person.objects.create(), at=index_at,
                                           yes_count=number % 20, sex="FM"[number % 2])
        comes_back = (earlier == 2) != (number % 10 == 0)
        if comes_back:
            incident_create(received_at=index_at + timedelta(days=60), victim=person_record_create(person=victim))


@pytest.fixture
def two_years():
    cohort(2011)
    cohort(2012)
    data_end()
    return Period(date(2011, 1, 1), date(2011, 6, 30)), Period(date(2012, 1, 1), date(2012, 6, 30))


def train(periods, by=None):
    training, validation = periods
    return history_model_train(training=training, validation=validation, outcome="further_incident",
                               horizon_months=12, by=by)


def test_a_version_is_trained_evaluated_and_kept(two_years):
    by = user_create(role="supervisor")
    version = train(two_years, by=by)
    assert (version.number, version.status, version.trained_by) == (1, "draft", by)
    evaluation = version.evaluation
    # 60 a period; 20 with two earlier incidents, of whom 18 come back; of the other 40, 4 come back.
    assert evaluation["validation"] == {"assessments": 60, "harmed": 22}
    assert evaluation["training"]["assessments"] == 60
    assert evaluation["signal_auc"]["auc"] > 0.85
    assert evaluation["coefficients"]["victim_incidents_12m"] + evaluation["coefficients"]["victim_incidents_all"] > 0
    assert evaluation["signal_minus_yes_count"]["difference"] > 0
    assert version.fairness_passed  # every group too small to judge at the default 30: nothing flagged
    assert version.document["kind"] == "vigil.evaluation.history_model"
    assert AuditEvent.objects.filter(object_id=str(version.pk), action="consultation").exists()
    assert train(two_years).number == 2


def test_training_and_validation_must_not_overlap(two_years):
    training, _ = two_years
    with pytest.raises(EvaluationError):
        history_model_train(training=training, validation=Period(date(2011, 6, 1), date(2011, 12, 31)),
                            outcome="further_incident", horizon_months=12)


def test_a_version_that_failed_the_fairness_guard_cannot_be_switched_on(two_years):
    EvaluationPolicy.objects.create(fairness_margin=0.0, fairness_min_group_size=1, effective_from=timezone.now(),
                                    reason="Judge every group, however small, with no margin")
    version = train(two_years)
    assert not version.fairness_passed
    with pytest.raises(FairnessGuardFailed):
        history_model_switch_on(version=version, by=user_create(role="supervisor"))
    version.refresh_from_db()
    assert version.status == "draft"
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses it too
        HistoryModelVersion.objects.filter(pk=version.pk).update(status="active")


def test_switching_on_retires_the_version_before_and_scores_an_assessment(two_years):
    by = user_create(role="supervisor")
    first, second = train(two_years), train(two_years)
    assert history_signal_for(assessment=first_assessment()) is None  # nothing active yet
    history_model_switch_on(version=first, by=by)
    history_model_switch_on(version=second, by=by)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status, second.switched_on_by) == ("retired", "active", by)
    assert HistoryModelVersion.objects.filter(status="active").count() == 1
    with pytest.raises(EvaluationError):
        history_model_switch_on(version=first, by=by)
    signal = history_signal_for(assessment=first_assessment())
    assert signal.version == second.number and 0 < signal.probability < 1
    intercept = second.document["intercept"]
    assert intercept + sum(c.log_odds for c in signal.contributions) == pytest.approx(signal.log_odds)


def first_assessment():
    from vigil.risk.models import RiskAssessment

    return RiskAssessment.objects.order_by("assessed_at").last()
