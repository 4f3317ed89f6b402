"""Whether one score predicts better than another on the same people. Plain rules, no Django.

DeLong, DeLong and Clarke-Pearson (1988) compare two AUCs measured on the same people: the difference
of the AUCs, with a variance that allows for the two scores being correlated (both see the same harmed
and unharmed people), from the covariance of each person's placements under the two scores.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from .metrics import _as_booleans, _as_scores, _check_level, _normal_quantile, _placements


@dataclass(frozen=True)
class AucDifference:
    """AUC of the first score minus AUC of the second, its interval (`low`, `high`) at `level`, and the
    two-sided p-value of DeLong's paired test that they are equal."""

    first: float
    second: float
    difference: float
    low: float
    high: float
    p_value: float
    level: float


def auc_difference(first_scores: Sequence[float], second_scores: Sequence[float],
                   outcomes: Sequence[bool | int], level: float = 0.95) -> AucDifference:
    """DeLong's paired comparison of two scores' AUCs on the same people."""
    _check_level(level)
    harmed = _as_booleans(outcomes, "outcomes")
    first_pos, first_neg = _placements(_as_scores(first_scores), harmed)
    second_pos, second_neg = _placements(_as_scores(second_scores), harmed)
    positives, negatives = len(first_pos), len(first_neg)
    if positives < 2 or negatives < 2:
        raise ValueError("a paired DeLong comparison needs at least two positive and two negative outcomes")
    first_auc, second_auc = float(first_pos.mean()), float(second_pos.mean())
    positive_cov = np.cov(np.vstack([first_pos, second_pos]))
    negative_cov = np.cov(np.vstack([first_neg, second_neg]))
    contrast = np.array([1.0, -1.0])
    variance = float(contrast @ positive_cov @ contrast / positives + contrast @ negative_cov @ contrast / negatives)
    difference = first_auc - second_auc
    if variance <= 0:
        p_value = 1.0 if difference == 0 else 0.0
        half_width = 0.0
    else:
        p_value = float(2 * norm.sf(abs(difference) / np.sqrt(variance)))
        half_width = _normal_quantile(level) * float(np.sqrt(variance))
    return AucDifference(first=first_auc, second=second_auc, difference=difference, low=difference - half_width,
                         high=difference + half_width, p_value=p_value, level=level)
