"""How well a risk grading or score predicts later harm. Plain rules, no Django.

The research in domain.md judges DASH gradings and history-based scores by these measures: the area
under the ROC curve (AUC) with DeLong's confidence interval, sensitivity and specificity, the share of
serious outcomes that had been graded high, calibration and the Brier score. Every proportion comes
with a Wilson score interval, because the counts that matter (people later seriously harmed) are small.

Outcomes are 1/True (the harm happened in the follow-up period) or 0/False. Predictions that are a yes
or no ("graded high") are booleans; scores are any numbers where higher means more risk.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm, rankdata

GRADES = ("standard", "medium", "high")  # the DASH gradings, lowest risk first


@dataclass(frozen=True)
class Proportion:
    """`count` of `total`, its `value` and its Wilson score interval (`low`, `high`) at `level`."""

    count: int
    total: int
    value: float
    low: float
    high: float
    level: float


@dataclass(frozen=True)
class AucResult:
    """The AUC, its DeLong interval (`low`, `high`) at `level`, and the counts it rests on."""

    auc: float
    low: float
    high: float
    positives: int
    negatives: int
    level: float


@dataclass(frozen=True)
class SensitivitySpecificity:
    sensitivity: Proportion  # of those later harmed, the share predicted positive
    specificity: Proportion  # of those not later harmed, the share predicted negative


@dataclass(frozen=True)
class CalibrationBin:
    """One bin of predicted probabilities [`lower`, `upper`) and what was observed in it."""

    lower: float
    upper: float
    mean_predicted: float
    observed_rate: float
    count: int


def auc(scores: Sequence[float], outcomes: Sequence[bool | int]) -> float:
    """The probability that a randomly chosen person later harmed scored higher than a randomly chosen
    person not harmed, ties counting half (the Mann-Whitney statistic divided by the number of pairs)."""
    positive_placements, _ = _placements(_as_scores(scores), _as_booleans(outcomes, "outcomes"))
    return float(positive_placements.mean())


def auc_confidence_interval(
    scores: Sequence[float], outcomes: Sequence[bool | int], level: float = 0.95
) -> tuple[float, float]:
    """DeLong's confidence interval for the AUC, clipped to [0, 1]."""
    result = auc_with_interval(scores, outcomes, level)
    return result.low, result.high


def auc_with_interval(
    scores: Sequence[float], outcomes: Sequence[bool | int], level: float = 0.95
) -> AucResult:
    """The AUC with DeLong's confidence interval.

    DeLong, DeLong and Clarke-Pearson (1988, Biometrics 44:837-845): each person later harmed has a
    placement, the share of the unharmed they outscore (ties half); each person not harmed has the share
    of the harmed who outscore them. The AUC is the mean placement, and its variance is
    var(placements of the harmed) / harmed + var(placements of the unharmed) / unharmed. The interval is
    the AUC plus or minus the normal quantile times the square root of that variance, computed from
    midranks as in Sun and Xu (2014, IEEE Signal Processing Letters 21:1389-1393).

    It needs at least two of each outcome to estimate the variances. When the ranking is perfect
    (AUC 0 or 1) the variance estimate is zero and the interval collapses to the point: with few
    people that is overconfident, so read it together with the counts.
    """
    _check_level(level)
    outcomes_array = _as_booleans(outcomes, "outcomes")
    positive_placements, negative_placements = _placements(_as_scores(scores), outcomes_array)
    positives, negatives = len(positive_placements), len(negative_placements)
    if positives < 2 or negatives < 2:
        raise ValueError(
            f"a DeLong interval needs at least two positive and two negative outcomes "
            f"(got {positives} positive, {negatives} negative)"
        )
    area = float(positive_placements.mean())
    variance = positive_placements.var(ddof=1) / positives + negative_placements.var(ddof=1) / negatives
    half_width = _normal_quantile(level) * float(np.sqrt(variance))
    return AucResult(
        auc=area,
        low=max(0.0, area - half_width),
        high=min(1.0, area + half_width),
        positives=positives,
        negatives=negatives,
        level=level,
    )


def wilson_interval(successes: int, total: int, level: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval for a proportion of `successes` out of `total`."""
    _check_level(level)
    if total <= 0:
        raise ValueError("a proportion needs a total of at least one")
    if not 0 <= successes <= total:
        raise ValueError(f"successes must be between 0 and the total {total} (got {successes})")
    z = _normal_quantile(level)
    share = successes / total
    denominator = 1 + z * z / total
    centre = (share + z * z / (2 * total)) / denominator
    half_width = z / denominator * np.sqrt(share * (1 - share) / total + z * z / (4 * total * total))
    low = 0.0 if successes == 0 else max(0.0, centre - half_width)
    high = 1.0 if successes == total else min(1.0, centre + half_width)
    return float(low), float(high)


def proportion(successes: int, total: int, level: float = 0.95) -> Proportion:
    """`successes` of `total` as a Proportion with its Wilson score interval."""
    low, high = wilson_interval(successes, total, level)
    return Proportion(
        count=int(successes), total=int(total), value=successes / total, low=low, high=high, level=level
    )


def sensitivity_specificity(
    predicted_positive: Sequence[bool | int], outcomes: Sequence[bool | int], level: float = 0.95
) -> SensitivitySpecificity:
    """Sensitivity (harmed and predicted positive) and specificity (unharmed and predicted negative),
    each with a Wilson interval."""
    predicted, harmed = _paired_booleans(predicted_positive, outcomes)
    _require_both_outcomes(harmed)
    return SensitivitySpecificity(
        sensitivity=proportion(int((predicted & harmed).sum()), int(harmed.sum()), level),
        specificity=proportion(int((~predicted & ~harmed).sum()), int((~harmed).sum()), level),
    )


def share_of_outcomes_flagged(
    predicted_positive: Sequence[bool | int], outcomes: Sequence[bool | int], level: float = 0.95
) -> Proportion:
    """Of the people later seriously harmed, the share who had been graded high (or flagged), with a
    Wilson interval. The Dorset study found a third: two thirds had never been graded high."""
    predicted, harmed = _paired_booleans(predicted_positive, outcomes)
    if not harmed.any():
        raise ValueError("no serious outcomes: the share flagged is undefined")
    return proportion(int((predicted & harmed).sum()), int(harmed.sum()), level)


def calibration(
    probabilities: Sequence[float], outcomes: Sequence[bool | int], bins: int = 10
) -> list[CalibrationBin]:
    """Predicted against observed, in `bins` equal-width bins of predicted probability.

    Equal-width bins (0-0.1, 0.1-0.2, ...) rather than quantile bins, so the bins mean the same thing
    from one model or period to the next. Each bin holds probabilities from its lower edge up to, not
    including, its upper edge; the last bin also holds 1.0. Empty bins are left out.
    """
    if isinstance(bins, bool) or not isinstance(bins, int) or bins < 1:
        raise ValueError(f"bins must be a whole number of at least one (got {bins!r})")
    predicted = _as_probabilities(probabilities)
    harmed = _as_booleans(outcomes, "outcomes")
    _check_same_length(predicted, harmed)
    bin_of = np.minimum((predicted * bins).astype(int), bins - 1)
    result = []
    for index in range(bins):
        in_bin = bin_of == index
        if in_bin.any():
            result.append(
                CalibrationBin(
                    lower=index / bins,
                    upper=(index + 1) / bins,
                    mean_predicted=float(predicted[in_bin].mean()),
                    observed_rate=float(harmed[in_bin].mean()),
                    count=int(in_bin.sum()),
                )
            )
    return result


def brier_score(probabilities: Sequence[float], outcomes: Sequence[bool | int]) -> float:
    """The mean squared difference between predicted probability and outcome (0 is perfect; always
    predicting 0.5 scores 0.25)."""
    predicted = _as_probabilities(probabilities)
    harmed = _as_booleans(outcomes, "outcomes")
    _check_same_length(predicted, harmed)
    return float(np.mean((predicted - harmed) ** 2))


def grading_scores(grades: Sequence[str]) -> np.ndarray:
    """DASH gradings as ordinal scores, standard 0, medium 1, high 2, so an AUC can be computed on them."""
    unknown = sorted({grade for grade in grades if grade not in GRADES}, key=repr)
    if unknown:
        raise ValueError(f"unknown grading(s) {unknown}: expected one of {list(GRADES)}")
    return np.array([GRADES.index(grade) for grade in grades], dtype=float)


def at_threshold(grades: Sequence[str], threshold: str = "high") -> np.ndarray:
    """True for each grading at or above `threshold`: the grading read as a yes/no prediction."""
    if threshold not in GRADES:
        raise ValueError(f"unknown threshold {threshold!r}: expected one of {list(GRADES)}")
    return grading_scores(grades) >= GRADES.index(threshold)


# Checks and shared arithmetic, also used by the other evaluation modules.


def _placements(scores: np.ndarray, outcomes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each positive, the share of negatives it outscores; for each negative, the share of positives
    that outscore it (ties half). From midranks: a positive's rank among everyone less its rank among
    the positives is the number of negatives below it plus half those tied with it."""
    _check_same_length(scores, outcomes)
    _require_both_outcomes(outcomes)
    positive_scores, negative_scores = scores[outcomes], scores[~outcomes]
    positives, negatives = len(positive_scores), len(negative_scores)
    ranks = rankdata(np.concatenate([positive_scores, negative_scores]))
    positive_placements = (ranks[:positives] - rankdata(positive_scores)) / negatives
    negative_placements = 1 - (ranks[positives:] - rankdata(negative_scores)) / positives
    return positive_placements, negative_placements


def _as_scores(scores: Sequence[float]) -> np.ndarray:
    try:
        values = np.asarray(scores, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"scores must be numbers: {error}") from None
    if values.ndim != 1:
        raise ValueError("scores must be a flat sequence of numbers")
    if not np.isfinite(values).all():
        raise ValueError("scores must be finite (no NaN or infinity)")
    return values


def _as_probabilities(probabilities: Sequence[float]) -> np.ndarray:
    values = _as_scores(probabilities)
    if ((values < 0) | (values > 1)).any():
        raise ValueError("probabilities must lie between 0 and 1")
    return values


def _as_booleans(values: Sequence[bool | int], name: str) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a flat sequence of 0/1 or True/False")
    if array.dtype == bool:
        return array
    if array.dtype.kind not in "iuf" or not np.isin(array, (0, 1)).all():
        raise ValueError(f"{name} must be 0/1 or True/False")
    return array.astype(bool)


def _paired_booleans(
    predicted_positive: Sequence[bool | int], outcomes: Sequence[bool | int]
) -> tuple[np.ndarray, np.ndarray]:
    predicted = _as_booleans(predicted_positive, "predictions")
    harmed = _as_booleans(outcomes, "outcomes")
    _check_same_length(predicted, harmed)
    return predicted, harmed


def _check_same_length(first: np.ndarray, second: np.ndarray) -> None:
    if len(first) != len(second):
        raise ValueError(f"lengths differ: {len(first)} predictions or scores, {len(second)} outcomes")


def _require_both_outcomes(outcomes: np.ndarray) -> None:
    if not outcomes.any():
        raise ValueError("no positive outcomes: the measure needs people with and without the outcome")
    if outcomes.all():
        raise ValueError("no negative outcomes: the measure needs people with and without the outcome")


def _check_level(level: float) -> None:
    if not 0 < level < 1:
        raise ValueError(f"the confidence level must lie strictly between 0 and 1 (got {level})")


def _normal_quantile(level: float) -> float:
    return float(norm.ppf(0.5 + level / 2))
