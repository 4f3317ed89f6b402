"""DeLong's paired comparison of two AUCs, worked by hand."""

import pytest

from vigil.evaluation.comparison import auc_difference


def test_paired_difference_worked_by_hand():
    # Harmed are the first two. The first score ranks perfectly (AUC 1); the second puts the harmed at 1 and
    # 3 and the unharmed at 2 and 4: only 3 > 2 of the four pairs, AUC 0.25.
    result = auc_difference([4, 3, 2, 1], [1, 3, 2, 4], [1, 1, 0, 0])
    assert (result.first, result.second, result.difference) == (1.0, 0.25, 0.75)
    # Placements: harmed (1, 1) and (0, 0.5), differences (1, 0.5), sample variance 0.125, over 2;
    # unharmed (1, 1) and (0.5, 0), differences (0.5, 1), the same: variance 0.125, sd 0.35355.
    assert result.high - result.difference == pytest.approx(1.959964 * 0.125 ** 0.5, rel=1e-5)
    assert result.p_value == pytest.approx(0.033895, rel=1e-4)  # two-sided, z = 0.75 / 0.35355 = 2.1213


def test_the_same_score_twice_differs_by_nothing():
    result = auc_difference([3, 1, 2, 5, 4], [3, 1, 2, 5, 4], [1, 0, 0, 1, 1])
    assert (result.difference, result.low, result.high, result.p_value) == (0.0, 0.0, 0.0, 1.0)


def test_too_few_outcomes_are_refused():
    with pytest.raises(ValueError):
        auc_difference([1, 2, 3], [3, 2, 1], [1, 0, 0])
