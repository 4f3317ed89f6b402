"""How well risk is being judged (issue 11): the evaluation report, and the versions of the history-based
risk signal (trained, validated on a later period, guarded for fairness, switched on by a person).

- `evaluation_run` reads: how well the officer's grading, the supervisor's, the grading after review,
  the DASH yes-count, each question and the active history signal predicted one outcome within one
  horizon, overall and by subgroup. Audited as one consultation.
- `history_model_train` fits the signal (history_model.fit) on the assessments of a training period and
  evaluates it on those of a later validation period: AUCs with DeLong intervals for the signal, the
  yes-count and the officer's grading, DeLong's paired comparison of the signal with each, calibration,
  and the fairness guard by sex, age band, ethnicity and area. Kept as a draft HistoryModelVersion.
- `history_model_switch_on` makes a version the active one; it refuses one that failed the fairness guard.
- `history_signal_for` scores one assessment with the active version: a probability and each feature's
  contribution, an advisory signal shown beside the human grading, never replacing it.
"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime

import numpy as np
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from vigil.audit.services import audit_record
from vigil.incidents.models import Area
from vigil.risk.models import RiskAssessment

from . import metrics
from .comparison import AucDifference, auc_difference
from .fairness import fairness_guard, subgroup_error_rates
from .history_model import Contribution, HistoryModel, fit
from .metrics import GRADES, AucResult, Proportion
from .models import HistoryModelVersion, Outcome
from .outcomes import FEATURES, SUBGROUPS, AssessmentRow, Period, assessment_rows
from .policy import EvaluationPolicyValues, evaluation_policy

YES_COUNT_THRESHOLDS = (14,)  # "visible high risk": 14 or more yes answers (risk.scoring)
GRADE_THRESHOLDS = ("medium", "high")


class EvaluationError(ValueError):
    """The evaluation cannot be made as asked (no data, overlapping periods...)."""


class FairnessGuardFailed(EvaluationError):
    """A history signal version that failed the fairness guard cannot be switched on."""


@dataclass(frozen=True)
class ThresholdResult:
    threshold: str  # "medium", "high", or "14+" for the yes-count
    sensitivity: Proportion
    specificity: Proportion


@dataclass(frozen=True)
class GradeCalibration:
    grade: str
    count: int
    harmed: Proportion | None  # the observed rate of the outcome among those so graded


@dataclass(frozen=True)
class PredictorResult:
    key: str
    label: str
    count: int  # followed-up assessments the predictor was recorded for
    harmed: int
    auc: AucResult | None  # None when fewer than two harmed or unharmed
    thresholds: tuple[ThresholdResult, ...] = ()
    serious_harm_graded_high: Proportion | None = None  # of those seriously harmed, the share graded high
    calibration: tuple[GradeCalibration, ...] = ()


@dataclass(frozen=True)
class SubgroupResult:
    attribute: str
    group: str
    count: int
    harmed: int
    aucs: dict[str, AucResult | None]


@dataclass(frozen=True)
class EvaluationReport:
    period: Period
    area: str | None
    outcome: str
    horizon_months: int
    assessments: int  # in the period (and area)
    followed_up: int  # whose horizon ended by the latest data, with a resolved victim
    harmed: int
    predictors: tuple[PredictorResult, ...]
    subgroups: tuple[SubgroupResult, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class HistorySignal:
    version: int
    outcome: str
    horizon_months: int
    probability: float
    log_odds: float
    contributions: tuple[Contribution, ...]
    features: dict[str, float] = field(default_factory=dict)


# --- the evaluation report ----------------------------------------------------------------------------


def _auc(scores: Sequence[float], outcomes: Sequence[bool]) -> AucResult | None:
    harmed = sum(outcomes)
    if harmed < 2 or len(outcomes) - harmed < 2:
        return None
    return metrics.auc_with_interval(scores, outcomes)


def _followed(rows: list[AssessmentRow], outcome: str, months: int) -> list[AssessmentRow]:
    return [row for row in rows if row.outcome(outcome, months) is not None]


def _grading_result(key: str, label: str, rows: list[AssessmentRow], grade_of: Callable, outcome: str,
                    months: int) -> PredictorResult:
    rows = [row for row in rows if grade_of(row) in GRADES]
    harmed = [bool(row.outcome(outcome, months)) for row in rows]
    grades = [grade_of(row) for row in rows]
    thresholds = []
    if 0 < sum(harmed) < len(harmed):
        for threshold in GRADE_THRESHOLDS:
            result = metrics.sensitivity_specificity(metrics.at_threshold(grades, threshold), harmed)
            thresholds.append(ThresholdResult(threshold, result.sensitivity, result.specificity))
    serious = [grade == "high" for grade, row in zip(grades, rows, strict=True)
               if row.outcome(Outcome.SERIOUS_HARM, months)]
    calibration = []
    for grade in GRADES:
        outcomes = [h for h, g in zip(harmed, grades, strict=True) if g == grade]
        calibration.append(GradeCalibration(grade, len(outcomes),
                                            metrics.proportion(sum(outcomes), len(outcomes)) if outcomes else None))
    return PredictorResult(
        key=key, label=label, count=len(rows), harmed=sum(harmed),
        auc=_auc(metrics.grading_scores(grades), harmed) if rows else None, thresholds=tuple(thresholds),
        serious_harm_graded_high=metrics.proportion(sum(serious), len(serious)) if serious else None,
        calibration=tuple(calibration))


def _score_result(key: str, label: str, rows: list[AssessmentRow], score_of: Callable, outcome: str, months: int,
                  thresholds: Sequence[float] = ()) -> PredictorResult:
    scored = [(score_of(row), bool(row.outcome(outcome, months))) for row in rows]
    scored = [(score, harmed) for score, harmed in scored if score is not None]
    scores, harmed = [s for s, _ in scored], [h for _, h in scored]
    results = []
    if 0 < sum(harmed) < len(harmed):
        for threshold in thresholds:
            result = metrics.sensitivity_specificity([s >= threshold for s in scores], harmed)
            results.append(ThresholdResult(f"{threshold:g}+", result.sensitivity, result.specificity))
    return PredictorResult(key=key, label=label, count=len(scored), harmed=sum(harmed),
                           auc=_auc(scores, harmed) if scored else None, thresholds=tuple(results))


def _answer_score(question: str) -> Callable:
    def score(row: AssessmentRow) -> float | None:
        value = row.answers.get(question)
        return None if value in (None, "not_known") else float(value == "yes")
    return score


def _active_model() -> tuple[HistoryModelVersion, HistoryModel] | None:
    version = HistoryModelVersion.objects.filter(status=HistoryModelVersion.Status.ACTIVE).first()
    return (version, HistoryModel.from_document(version.document)) if version else None


def _predictors(rows: list[AssessmentRow], outcome: str, months: int,
                active: tuple[HistoryModelVersion, HistoryModel] | None) -> list[PredictorResult]:
    results = [
        _grading_result("officer_grading", "Officer's grading", rows, lambda r: r.officer_grade, outcome, months),
        _grading_result("final_grading", "Grading after review", rows, lambda r: r.grade, outcome, months),
    ]
    if any(row.supervisor_grade for row in rows):
        results.insert(1, _grading_result("supervisor_grading", "Supervisor's grading", rows,
                                          lambda r: r.supervisor_grade, outcome, months))
    results.append(_score_result("yes_count", "DASH yes-count", rows,
                                 lambda r: None if r.yes_count is None else float(r.yes_count), outcome, months,
                                 YES_COUNT_THRESHOLDS))
    for question in sorted({q for row in rows for q in row.answers}):
        results.append(_score_result(f"question:{question}", f"Question {question} answered yes", rows,
                                     _answer_score(question), outcome, months))
    if active is not None:
        version, model = active
        probabilities = dict(zip((row.assessment_id for row in rows),
                                 model.predict_probability([row.features for row in rows]) if rows else [],
                                 strict=True))
        results.append(_score_result("history_signal", f"History signal (version {version.number})", rows,
                                     lambda r: float(probabilities[r.assessment_id]), outcome, months))
    return results


def evaluation_run(*, period: Period, outcome: str, horizon_months: int, area: Area | None = None,
                   viewer=None, request=None, now: datetime | None = None) -> EvaluationReport:
    """How well each grading and score predicted `outcome` within `horizon_months` of the assessments in
    `period` (and `area`), overall and by subgroup."""
    if outcome not in Outcome.values:
        raise EvaluationError(f"unknown outcome {outcome!r}: expected one of {Outcome.values}")
    policy = evaluation_policy(now)
    rows = assessment_rows(period=period, area=area, horizons_months=(horizon_months,), policy=policy)
    followed = _followed(rows, outcome, horizon_months)
    active = _active_model()
    predictors = _predictors(followed, outcome, horizon_months, active)
    subgroups = []
    for attribute in SUBGROUPS:
        groups: dict[str, list[AssessmentRow]] = defaultdict(list)
        for row in followed:
            groups[row.subgroup(attribute)].append(row)
        for group, members in sorted(groups.items()):
            aucs = {result.key: result.auc for result in _predictors(members, outcome, horizon_months, active)
                    if not result.key.startswith("question:")}
            subgroups.append(SubgroupResult(attribute, group, len(members),
                                            sum(bool(r.outcome(outcome, horizon_months)) for r in members), aucs))
    notes = ["Homicide and near-fatal incidents are not recorded as an offence group, so that outcome "
             "cannot be measured."]
    if len(followed) < len(rows):
        notes.append(f"{len(rows) - len(followed)} assessments are left out: their {horizon_months}-month "
                     f"follow-up ends after the latest data, or the victim has no resolved person.")
    report = EvaluationReport(
        period=period, area=area.code if area else None, outcome=outcome, horizon_months=horizon_months,
        assessments=len(rows), followed_up=len(followed),
        harmed=sum(bool(r.outcome(outcome, horizon_months)) for r in followed),
        predictors=tuple(predictors), subgroups=tuple(subgroups), notes=tuple(notes))
    audit_record(action="consultation", actor=viewer, request=request, object_type="evaluation.Report",
                 object_id=f"{period.start}..{period.end}", reason="Evaluation of risk judgements",
                 detail={"area": report.area, "outcome": outcome, "horizon_months": horizon_months,
                         "assessments": report.assessments})
    return report


# --- the history signal's versions ---------------------------------------------------------------------


def _json(value):
    """Dataclasses, numpy numbers and dates as JSON-safe values."""
    if hasattr(value, "__dataclass_fields__"):
        return _json(asdict(value))
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _comparison(signal: np.ndarray, other: list[float | None], harmed: list[bool]) -> AucDifference | None:
    kept = [i for i, score in enumerate(other) if score is not None]
    outcomes = [harmed[i] for i in kept]
    if sum(outcomes) < 2 or len(outcomes) - sum(outcomes) < 2:
        return None
    return auc_difference(signal[kept], [other[i] for i in kept], outcomes)


def signal_evaluation(model: HistoryModel, training: list[AssessmentRow], validation: list[AssessmentRow],
                      outcome: str, months: int, policy: EvaluationPolicyValues) -> tuple[dict, dict, bool]:
    """The validation evaluation of a fitted model, and its fairness guard: (evaluation, fairness, passed)."""
    harmed = [bool(row.outcome(outcome, months)) for row in validation]
    train_harmed = [bool(row.outcome(outcome, months)) for row in training]
    p_train = model.predict_probability([row.features for row in training])
    p_val = model.predict_probability([row.features for row in validation])
    yes = [None if row.yes_count is None else float(row.yes_count) for row in validation]
    officer = [float(GRADES.index(row.officer_grade)) if row.officer_grade in GRADES else None for row in validation]
    evaluation = {
        "training": {"assessments": len(training), "harmed": sum(train_harmed),
                     "signal_auc": _auc(p_train, train_harmed)},
        "validation": {"assessments": len(validation), "harmed": sum(harmed)},
        "signal_auc": _auc(p_val, harmed),
        "yes_count_auc": _auc([y for y in yes if y is not None], [h for h, y in zip(harmed, yes, strict=True)
                                                                   if y is not None]),
        "officer_grading_auc": _auc([g for g in officer if g is not None],
                                    [h for h, g in zip(harmed, officer, strict=True) if g is not None]),
        "signal_minus_yes_count": _comparison(p_val, yes, harmed),
        "signal_minus_officer_grading": _comparison(p_val, officer, harmed),
        "calibration": metrics.calibration(p_val, harmed) if validation else [],
        "brier_score": metrics.brier_score(p_val, harmed) if validation else None,
        "coefficients": dict(zip(model.feature_names, model.coefficients, strict=True)),
    }
    threshold = float(np.quantile(p_train, 1 - policy.signal_flag_share))
    flagged = p_val >= threshold
    fairness = {"threshold": threshold, "flag_share": policy.signal_flag_share, "margin": policy.fairness_margin,
                "min_group_size": policy.fairness_min_group_size, "by": {}}
    passed = True
    if 0 < sum(harmed) < len(harmed):
        for attribute in SUBGROUPS:
            groups = [row.subgroup(attribute) for row in validation]
            result = fairness_guard(flagged, harmed, groups, margin=policy.fairness_margin,
                                    min_group_size=policy.fairness_min_group_size)
            passed = passed and result.passed
            fairness["by"][attribute] = {"passed": result.passed, "judgements": result.judgements,
                                         "rates": list(subgroup_error_rates(flagged, harmed, groups).values())}
    else:
        passed = False
        fairness["note"] = "the validation period has no harmed or no unharmed assessments: not judged"
    return _json(evaluation), _json(fairness), passed


def history_model_train(*, training: Period, validation: Period, outcome: str, horizon_months: int, by=None,
                        area: Area | None = None, penalty: float = 1.0, now: datetime | None = None,
                        request=None) -> HistoryModelVersion:
    """Fit the history signal on `training`, evaluate it on the later `validation` period, and keep it as a
    draft version with its evaluation and fairness guard."""
    if outcome not in Outcome.values:
        raise EvaluationError(f"unknown outcome {outcome!r}: expected one of {Outcome.values}")
    if training.end >= validation.start:
        raise EvaluationError("the validation period must start after the training period ends")
    now = now or timezone.now()
    policy = evaluation_policy(now)
    train_rows = _followed(assessment_rows(period=training, area=area, horizons_months=(horizon_months,),
                                           policy=policy), outcome, horizon_months)
    val_rows = _followed(assessment_rows(period=validation, area=area, horizons_months=(horizon_months,),
                                         policy=policy), outcome, horizon_months)
    if not train_rows or not val_rows:
        raise EvaluationError("no followed-up assessments in the training or the validation period")
    try:
        model = fit([row.features for row in train_rows],
                    [bool(row.outcome(outcome, horizon_months)) for row in train_rows], FEATURES, penalty=penalty)
    except ValueError as error:
        raise EvaluationError(f"the model cannot be trained: {error}") from None
    evaluation, fairness, passed = signal_evaluation(model, train_rows, val_rows, outcome, horizon_months, policy)
    with transaction.atomic():
        number = (HistoryModelVersion.objects.aggregate(top=Max("number"))["top"] or 0) + 1
        version = HistoryModelVersion.objects.create(
            number=number, trained_at=now, trained_by=by, training_start=training.start, training_end=training.end,
            validation_start=validation.start, validation_end=validation.end, outcome=outcome,
            horizon_months=horizon_months, document=model.to_document(), evaluation=evaluation,
            fairness_passed=passed, fairness=fairness)
        # Training read the history of every assessment in both periods: one event for the whole run.
        audit_record(action="consultation", actor=by, obj=version, request=request,
                     reason="Training the history-based risk signal",
                     detail={"training_assessments": len(train_rows), "validation_assessments": len(val_rows),
                             "outcome": outcome, "horizon_months": horizon_months, "fairness_passed": passed})
    return version


def history_model_switch_on(*, version: HistoryModelVersion, by, now: datetime | None = None,
                            request=None) -> HistoryModelVersion:
    """Make `version` the active history signal, retiring the one before. Refuses a version that failed
    the fairness guard, and a retired one."""
    now = now or timezone.now()
    with transaction.atomic():
        version = HistoryModelVersion.objects.select_for_update().get(pk=version.pk)
        if not version.fairness_passed:
            raise FairnessGuardFailed(f"version {version.number} failed the fairness guard and cannot be switched on")
        if version.status == HistoryModelVersion.Status.RETIRED:
            raise EvaluationError(f"version {version.number} is retired; train a new version instead")
        if version.status == HistoryModelVersion.Status.ACTIVE:
            return version
        previous = list(HistoryModelVersion.objects.filter(status=HistoryModelVersion.Status.ACTIVE)
                        .values_list("number", flat=True))
        HistoryModelVersion.objects.filter(status=HistoryModelVersion.Status.ACTIVE).update(
            status=HistoryModelVersion.Status.RETIRED)
        version.status = HistoryModelVersion.Status.ACTIVE
        version.switched_on_by = by
        version.switched_on_at = now
        version.save(update_fields=["status", "switched_on_by", "switched_on_at"])
        audit_record(action="alteration", actor=by, obj=version, request=request,
                     detail={"switched_on": version.number, "retired": previous})
    return version


def history_signal_for(*, assessment: RiskAssessment) -> HistorySignal | None:
    """The active version's probability of its outcome for `assessment`, with each feature's contribution
    (largest first); None when no version is active. Unaudited: the page showing the assessment audits."""
    active = _active_model()
    if active is None:
        return None
    version, model = active
    rows = assessment_rows(assessment_ids=[assessment.pk], horizons_months=(version.horizon_months,))
    if not rows:
        return None
    features = rows[0].features
    return HistorySignal(version=version.number, outcome=version.outcome, horizon_months=version.horizon_months,
                         probability=float(model.predict_probability([features])[0]),
                         log_odds=float(model.log_odds([features])[0]),
                         contributions=tuple(model.contributions(features)), features=features)
