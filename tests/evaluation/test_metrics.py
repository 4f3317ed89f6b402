"""The evaluation measures on small hand-made data whose answers are worked out by hand."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from vigil.evaluation import metrics

Z95 = 1.959963984540054  # the 97.5th percentile of the standard normal


# AUC


def test_a_perfect_ranking_has_an_auc_of_one():
    assert metrics.auc([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0]) == 1.0


def test_a_reversed_ranking_has_an_auc_of_zero():
    assert metrics.auc([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0]) == 0.0


def test_all_ties_give_an_auc_of_one_half():
    assert metrics.auc([3, 3, 3, 3, 3], [1, 0, 1, 0, 0]) == 0.5


def test_a_three_by_three_example_worked_by_hand():
    # Harmed: 0.8, 0.6, 0.4. Not harmed: 0.7, 0.4, 0.2. The nine pairs, harmed against not harmed:
    # 0.8 beats all three (3); 0.6 beats 0.4 and 0.2, loses to 0.7 (2);
    # 0.4 loses to 0.7, ties 0.4 (a half), beats 0.2 (1.5). AUC = (3 + 2 + 1.5) / 9 = 6.5 / 9.
    scores = [0.4, 0.7, 0.8, 0.2, 0.6, 0.4]  # interleaved, so the order of people cannot matter
    outcomes = [1, 0, 1, 0, 1, 0]
    assert metrics.auc(scores, outcomes) == pytest.approx(6.5 / 9)


def test_auc_accepts_booleans_and_integers_alike():
    assert metrics.auc([1, 2, 3], [False, True, True]) == metrics.auc([1, 2, 3], [0, 1, 1]) == 1.0


@pytest.mark.parametrize(
    ("scores", "outcomes", "message"),
    [
        ([0.1, 0.2], [0, 0], "no positive"),
        ([0.1, 0.2], [1, True], "no negative"),
        ([], [], "no positive"),
        ([0.1, 0.2, 0.3], [0, 1], "lengths differ"),
        ([0.1, float("nan")], [0, 1], "finite"),
        ([0.1, 0.2], [0, 2], "0/1"),
        ([0.1, 0.2], ["no", "yes"], "0/1"),
    ],
)
def test_auc_refuses_data_it_cannot_judge(scores, outcomes, message):
    with pytest.raises(ValueError, match=message):
        metrics.auc(scores, outcomes)


labelled_scores = st.lists(st.integers(-1000, 1000), min_size=2, max_size=40, unique=True).flatmap(
    lambda scores: st.tuples(
        st.just(scores),
        st.lists(st.booleans(), min_size=len(scores), max_size=len(scores)).filter(
            lambda outcomes: any(outcomes) and not all(outcomes)
        ),
    )
)


@given(labelled_scores)
def test_negating_distinct_scores_turns_the_auc_into_its_complement(data):
    scores, outcomes = data
    negated = [-score for score in scores]
    assert metrics.auc(scores, outcomes) == pytest.approx(1 - metrics.auc(negated, outcomes))


STRICTLY_INCREASING = [
    lambda x: 3 * x - 7,
    lambda x: x**3,
    lambda x: math.atan(x / 100),
    lambda x: math.exp(x / 200),
]


@given(labelled_scores, st.sampled_from(STRICTLY_INCREASING))
def test_the_auc_depends_only_on_the_order_of_the_scores(data, transform):
    scores, outcomes = data
    transformed = [transform(score) for score in scores]
    assert metrics.auc(transformed, outcomes) == pytest.approx(metrics.auc(scores, outcomes))


# DeLong interval


def test_the_delong_interval_on_an_example_worked_by_hand():
    # Harmed 0.9, 0.6, 0.4; not harmed 0.5, 0.3.
    # Placements of the harmed (share of the unharmed each outscores): 1, 1, 1/2 -> AUC 5/6.
    # Placements of the unharmed (share of the harmed outscoring each): 0.5 -> 2/3, 0.3 -> 1.
    # Sample variances: of (1, 1, 1/2) = (1/36 + 1/36 + 4/36) / 2 = 1/12; of (2/3, 1) = (2/36) / 1 = 1/18.
    # var(AUC) = (1/12) / 3 + (1/18) / 2 = 1/36 + 1/36 = 1/18, so the half-width is 1.96 * sqrt(1/18).
    half_width = Z95 * math.sqrt(1 / 18)  # 0.4620
    result = metrics.auc_with_interval([0.9, 0.6, 0.4, 0.5, 0.3], [1, 1, 1, 0, 0])
    assert result.auc == pytest.approx(5 / 6)
    assert result.low == pytest.approx(5 / 6 - half_width)  # 0.3714
    assert result.high == 1.0  # 1.2953, clipped
    assert (result.positives, result.negatives, result.level) == (3, 2, 0.95)
    assert metrics.auc_confidence_interval([0.9, 0.6, 0.4, 0.5, 0.3], [1, 1, 1, 0, 0]) == (
        result.low,
        result.high,
    )


def test_the_delong_interval_counts_ties_half():
    # Harmed 2, 1; not harmed 1, 0.
    # Harmed placements: 2 outscores both (1); 1 ties 1 and outscores 0: (1/2 + 1) / 2 = 3/4. AUC 7/8.
    # Unharmed placements (the share of the harmed outscoring each): 1 -> (1 + 1/2) / 2 = 3/4; 0 -> 1.
    # Sample variances: of (1, 3/4) = 2 * (1/8)^2 / 1 = 1/32; of (3/4, 1) the same.
    # var(AUC) = (1/32) / 2 + (1/32) / 2 = 1/32.
    result = metrics.auc_with_interval([2, 1, 1, 0], [1, 1, 0, 0], level=0.5)
    half_width = 0.6744897501960817 * math.sqrt(1 / 32)  # the 75th percentile of the standard normal
    assert result.auc == pytest.approx(7 / 8)
    assert result.low == pytest.approx(7 / 8 - half_width)  # 0.7558
    assert result.high == pytest.approx(7 / 8 + half_width)  # 0.9942


def synthetic_scores(people: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A score that is informative but far from perfect: the harmed score one standard deviation higher."""
    rng = np.random.default_rng(seed)
    outcomes = rng.random(people) < 0.3
    return rng.normal(size=people) + outcomes, outcomes


def test_the_delong_interval_contains_the_auc_and_narrows_as_the_data_grow():
    widths = []
    for people in (100, 1000, 10000):
        scores, outcomes = synthetic_scores(people, seed=7)
        result = metrics.auc_with_interval(scores, outcomes)
        assert result.low < result.auc < result.high
        widths.append(result.high - result.low)
    assert widths[0] > widths[1] > widths[2]
    # Ten times the data should give roughly a third of the width (the width shrinks with sqrt(n)).
    assert widths[1] / widths[2] == pytest.approx(math.sqrt(10), rel=0.25)


def test_the_delong_interval_covers_the_true_auc_at_about_the_stated_rate():
    # The harmed score N(1, 1), the unharmed N(0, 1): the true AUC is Phi(1 / sqrt(2)) = 0.7602.
    true_auc = 0.7602499389065233
    covered = 0
    for seed in range(200):
        scores, outcomes = synthetic_scores(300, seed=seed)
        result = metrics.auc_with_interval(scores, outcomes, level=0.9)
        covered += result.low <= true_auc <= result.high
    assert 0.84 <= covered / 200 <= 0.96


def test_a_higher_level_gives_a_wider_interval():
    scores, outcomes = synthetic_scores(200, seed=3)
    narrow = metrics.auc_with_interval(scores, outcomes, level=0.8)
    wide = metrics.auc_with_interval(scores, outcomes, level=0.99)
    assert wide.low < narrow.low and narrow.high < wide.high


def test_the_delong_interval_needs_two_of_each_outcome():
    with pytest.raises(ValueError, match="at least two"):
        metrics.auc_with_interval([0.9, 0.6, 0.4], [1, 0, 0])


@pytest.mark.parametrize("level", [0, 1, 1.5, -0.1])
def test_the_confidence_level_must_lie_between_zero_and_one(level):
    with pytest.raises(ValueError, match="level"):
        metrics.auc_with_interval([1, 2, 3, 4], [0, 1, 0, 1], level=level)


# Wilson interval


def test_the_wilson_interval_for_none_of_ten():
    # With no successes the interval is 0 to z^2 / (n + z^2) = 3.8415 / 13.8415 = 0.2775.
    low, high = metrics.wilson_interval(0, 10)
    assert low == 0.0
    assert high == pytest.approx(Z95**2 / (10 + Z95**2))
    assert high == pytest.approx(0.2775, abs=1e-4)


def test_the_wilson_interval_for_ten_of_ten():
    # The mirror image: n / (n + z^2) = 10 / 13.8415 = 0.7225 up to 1.
    low, high = metrics.wilson_interval(10, 10)
    assert low == pytest.approx(0.7225, abs=1e-4)
    assert high == 1.0


def test_the_wilson_interval_for_five_of_ten():
    # Centre (0.5 + z^2/20) / (1 + z^2/10) = 0.5; half-width z / 1.38415 * sqrt(0.025 + z^2/400) = 0.2634.
    low, high = metrics.wilson_interval(5, 10)
    assert low == pytest.approx(0.2366, abs=1e-4)
    assert high == pytest.approx(0.7634, abs=1e-4)


@pytest.mark.parametrize(("successes", "total"), [(0, 0), (3, 2), (-1, 5)])
def test_the_wilson_interval_refuses_impossible_counts(successes, total):
    with pytest.raises(ValueError):
        metrics.wilson_interval(successes, total)


# Sensitivity, specificity and the share of outcomes flagged


def test_sensitivity_and_specificity_worked_by_hand():
    # Harmed: 4, of whom 3 flagged -> sensitivity 3/4. Not harmed: 6, of whom 2 flagged -> specificity 4/6.
    predicted = [1, 1, 1, 0, 1, 1, 0, 0, 0, 0]
    outcomes = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    result = metrics.sensitivity_specificity(predicted, outcomes)
    assert (result.sensitivity.count, result.sensitivity.total) == (3, 4)
    assert result.sensitivity.value == 0.75
    assert (result.specificity.count, result.specificity.total) == (4, 6)
    assert result.specificity.value == pytest.approx(2 / 3)
    assert (result.sensitivity.low, result.sensitivity.high) == metrics.wilson_interval(3, 4)


def test_sensitivity_and_specificity_need_both_outcomes():
    with pytest.raises(ValueError, match="no positive"):
        metrics.sensitivity_specificity([1, 0], [0, 0])


def test_the_share_of_serious_outcomes_that_had_been_graded_high():
    # As in the Dorset study: of 100 people later seriously harmed, 33 had been graded high. Those
    # never harmed do not enter the share, however they were graded.
    predicted = [True] * 33 + [False] * 67 + [True] * 500
    outcomes = [True] * 100 + [False] * 500
    share = metrics.share_of_outcomes_flagged(predicted, outcomes)
    assert (share.count, share.total, share.value) == (33, 100, 0.33)
    assert share.low < 0.33 < share.high


def test_the_share_flagged_needs_serious_outcomes():
    with pytest.raises(ValueError, match="no serious outcomes"):
        metrics.share_of_outcomes_flagged([True, False], [False, False])


# Calibration and the Brier score


def test_calibration_bins_on_a_tiny_set():
    # Ten equal-width bins. 0.05 -> [0, 0.1); 0.15 and 0.12 -> [0.1, 0.2); 0.95, 0.91 and 1.0 -> [0.9, 1].
    # Bin [0.1, 0.2): mean predicted (0.15 + 0.12) / 2 = 0.135, observed 1 of 2.
    # Bin [0.9, 1]: mean predicted (0.95 + 0.91 + 1.0) / 3 = 0.9533, observed 2 of 3.
    probabilities = [0.05, 0.15, 0.12, 0.95, 0.91, 1.0]
    outcomes = [0, 0, 1, 1, 1, 0]
    bins = metrics.calibration(probabilities, outcomes, bins=10)
    assert [(b.lower, b.upper, b.count) for b in bins] == [(0.0, 0.1, 1), (0.1, 0.2, 2), (0.9, 1.0, 3)]
    assert [b.mean_predicted for b in bins] == pytest.approx([0.05, 0.135, 2.86 / 3])
    assert [b.observed_rate for b in bins] == pytest.approx([0.0, 0.5, 2 / 3])


def test_a_probability_on_a_bin_edge_goes_into_the_bin_above():
    bins = metrics.calibration([0.5, 0.49], [1, 0], bins=2)
    assert [(b.lower, b.count, b.observed_rate) for b in bins] == [(0.0, 1, 0.0), (0.5, 1, 1.0)]


def test_calibration_refuses_what_is_not_a_probability():
    with pytest.raises(ValueError, match="between 0 and 1"):
        metrics.calibration([0.2, 1.2], [0, 1])
    with pytest.raises(ValueError, match="bins"):
        metrics.calibration([0.2, 0.3], [0, 1], bins=0)


def test_the_brier_score_worked_by_hand():
    # (0.9 - 1)^2 + (0.2 - 0)^2 + (0.6 - 0)^2 + (0.5 - 1)^2 = 0.01 + 0.04 + 0.36 + 0.25 = 0.66; / 4 = 0.165.
    assert metrics.brier_score([0.9, 0.2, 0.6, 0.5], [1, 0, 0, 1]) == pytest.approx(0.165)
    assert metrics.brier_score([0.5, 0.5], [1, 0]) == pytest.approx(0.25)
    assert metrics.brier_score([1.0, 0.0], [1, 0]) == 0.0


# DASH gradings


def test_gradings_are_scored_in_order_of_risk():
    assert list(metrics.grading_scores(["high", "standard", "medium"])) == [2, 0, 1]


def test_an_unknown_grading_is_refused_by_name():
    with pytest.raises(ValueError, match="'very high'"):
        metrics.grading_scores(["high", "very high"])


def test_a_grading_at_or_above_the_threshold_is_a_positive_prediction():
    grades = ["standard", "medium", "high"]
    assert list(metrics.at_threshold(grades)) == [False, False, True]
    assert list(metrics.at_threshold(grades, threshold="medium")) == [False, True, True]
    with pytest.raises(ValueError, match="threshold"):
        metrics.at_threshold(grades, threshold="severe")


def test_the_auc_of_an_ordinal_grading_worked_by_hand():
    # Harmed: high, medium. Not harmed: medium, standard, standard.
    # high beats all three (3); medium ties medium (1/2) and beats both standards (2). AUC = 5.5 / 6.
    grades = ["high", "medium", "medium", "standard", "standard"]
    outcomes = [1, 1, 0, 0, 0]
    assert metrics.auc(metrics.grading_scores(grades), outcomes) == pytest.approx(5.5 / 6)
