"""The capacity analysis on hand-made weeks: the trend test, the effect size and the words."""

from datetime import date, timedelta

import pytest
from scipy import stats

from vigil.risk.capacity import (
    WeekObservation,
    analyse,
    band_index,
    chance_words,
    cochran_armitage,
    explain,
    odds_ratio,
    quartile_cuts,
    rate_difference,
)


def weeks(rows):
    """(caseload, reviews, downgrades) per week, from Monday 3 September 2012."""
    start = date(2012, 9, 3)
    return [WeekObservation(start + timedelta(weeks=i), caseload, reviews, downgrades)
            for i, (caseload, reviews, downgrades) in enumerate(rows)]


# 40 weeks, ten at each of four caseloads; 20 reviews a week.
RISING = weeks([(10 + 10 * band, 20, (1, 2, 4, 6)[band]) for band in range(4) for _ in range(10)])
FLAT = weeks([(10 + 10 * band, 20, (2, 3, 2, 3)[(band + i) % 4]) for band in range(4) for i in range(10)])


def test_the_cochran_armitage_statistic_matches_a_hand_calculation():
    # Three groups, scores 1-3: the textbook formula worked by hand.
    x, n = [2, 5, 9], [20, 20, 20]
    p = 16 / 60
    t = sum(s * (xi - ni * p) for s, xi, ni in zip((1, 2, 3), x, n, strict=True))
    variance = p * (1 - p) * (sum(ni * s * s for s, ni in zip((1, 2, 3), n, strict=True)) - (20 * 6) ** 2 / 60)
    trend = cochran_armitage(x, n)
    assert trend.z == pytest.approx(t / variance ** 0.5)
    assert trend.p_value == pytest.approx(2 * stats.norm.sf(abs(trend.z)))


def test_the_trend_test_equals_the_chi_square_for_two_groups():
    # With two groups the trend test is the Pearson chi-square test of the 2x2 table (no correction).
    trend = cochran_armitage([10, 25], [100, 100])
    chi2 = stats.chi2_contingency([[10, 90], [25, 75]], correction=False)
    assert trend.p_value == pytest.approx(chi2.pvalue)


def test_a_rising_trend_is_found():
    analysis = analyse(RISING)
    assert [b.rate for b in analysis.bands] == [0.05, 0.1, 0.2, 0.3]
    assert [(b.low, b.high, b.weeks) for b in analysis.bands] == [(10, 10, 10), (20, 20, 10), (30, 30, 10),
                                                                  (40, 40, 10)]
    assert analysis.trend.z > 0 and analysis.trend.p_value < 0.001
    assert analysis.significant
    assert analysis.correlation.rho > 0.5 and analysis.correlation.p_value < 0.001


def test_no_trend_is_found_in_flat_data():
    analysis = analyse(FLAT)
    assert analysis.trend.p_value > 0.5
    assert not analysis.significant
    assert analysis.correlation.p_value > 0.05


def test_the_effect_size_is_the_busiest_band_against_the_quietest():
    effect = analyse(RISING).effect
    assert effect.busiest_rate == pytest.approx(0.3)
    assert effect.quietest_rate == pytest.approx(0.05)
    assert effect.difference == pytest.approx(0.25)
    assert effect.ci_low < 0.25 < effect.ci_high
    assert effect.ci_low > 0  # 60 of 200 against 10 of 200: clearly apart
    assert effect.odds_ratio == pytest.approx((60 / 140) / (10 / 190))
    assert effect.odds_ratio_ci_low > 1


def test_the_difference_interval_is_newcombes():
    # Newcombe (1998), table II, example (a): 56/70 against 48/80 gives 0.2000, 95 % CI 0.0524 to 0.3339.
    difference, low, high = rate_difference(56, 70, 48, 80)
    assert difference == pytest.approx(0.2)
    assert low == pytest.approx(0.0524, abs=5e-4)
    assert high == pytest.approx(0.3339, abs=5e-4)


def test_an_empty_cell_gives_no_odds_ratio():
    assert odds_ratio(0, 50, 5, 50) == (None, None, None)


def test_bands_are_the_quartiles_of_the_weekly_caseload_or_given_cuts():
    cuts = quartile_cuts([10, 20, 30, 40, 50, 60, 70, 80])
    assert [band_index(c, cuts) for c in (10, 20, 30, 40, 50, 60, 70, 80)] == [0, 0, 1, 1, 2, 2, 3, 3]
    policy = analyse(RISING, cuts=[25])
    assert [(b.name, b.low, b.high) for b in policy.bands] == [("Quietest weeks", 10, 20), ("Busiest weeks", 30, 40)]


def test_empty_bands_are_dropped_when_weeks_share_a_caseload():
    analysis = analyse(weeks([(10, 5, 1)] * 9 + [(11, 5, 1)]))
    assert len(analysis.bands) == 2
    assert [b.index for b in analysis.bands] == [0, 1]


def test_the_explanation_of_a_rising_trend():
    text = explain(analyse(RISING))
    assert text.startswith("When the unit held more open cases, specialists downgraded more often: "
                           "30 % of reviews in the busiest weeks against 5 % in the quietest (difference 25 points, "
                           "95 % CI ")
    assert "would arise by chance less than 1 time in 1,000 (p < 0.001)" in text
    assert "not that caseload caused the downgrades" in text


def test_the_explanation_when_there_is_no_trend():
    text = explain(analyse(FLAT))
    assert text.startswith("There is no evidence that specialists downgraded more often when the unit held more "
                           "open cases")
    assert "This does not prove there is no link" in text
    assert "caused" not in text


def test_the_explanation_of_a_falling_trend_does_not_say_more():
    falling = weeks([(10 + 10 * band, 20, (6, 4, 2, 1)[band]) for band in range(4) for _ in range(10)])
    text = explain(analyse(falling))
    assert "downgraded less often, not more" in text
    assert "difference −25 points" in text


def test_the_explanation_when_nothing_can_be_tested():
    assert "no specialist reviews" in explain(analyse(weeks([(10, 0, 0), (20, 0, 0)])))
    assert "too few weeks" in explain(analyse(weeks([(10, 5, 1), (10, 5, 0)])))
    assert "no specialist reviews" in explain(analyse([]))


@pytest.mark.parametrize(("p_value", "words"), [
    (0.0004, "less than 1 time in 1,000 (p < 0.001)"),
    (0.004, "about 1 time in 250 (p = 0.004)"),
    (0.02, "about 1 time in 50 (p = 0.02)"),
    (0.43, "about 43 times in 100 (p = 0.43)"),
])
def test_chance_in_words(p_value, words):
    assert chance_words(p_value) == words
