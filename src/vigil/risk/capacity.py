"""Capacity analysis: do specialist downgrades rise with the unit's open caseload? Plain statistics on
weekly observations, no Django (the selector `capacity_data` builds the observations).

- **Weeks.** One observation per week: the unit's open caseload at the start of the week, the
  specialist reviews decided in it, and how many of them lowered the grade.
- **Bands.** Weeks are grouped by caseload into bands: by default the quartiles of the weekly caseload
  over the period (the quietest quarter of weeks, ..., the busiest quarter), or fixed policy bands given
  as cut points. A week belongs to the first band whose upper cut it does not exceed. Bands left empty
  (many weeks with the same caseload) are dropped.
- **The test.** A logistic regression of each review's downgrade on caseload would be the first choice,
  but scipy has none; instead a Cochran–Armitage test for trend in the downgrade proportion across the
  ordered bands (scores 1, 2, 3...; two-sided, normal approximation), and Spearman's rank correlation
  between the weekly caseload and the weekly downgrade rate (weeks with no review left out) as a check
  that does not depend on the banding.
- **The effect size.** The busiest band's downgrade rate minus the quietest band's, with a 95 %
  confidence interval (Newcombe's hybrid score method from the two Wilson intervals), and the odds
  ratio with its 95 % interval (scipy's sample odds ratio).

An association in these data is not proof that caseload causes downgrades: the busiest weeks can
differ in other ways (the mix of cases, who was on duty). The explanation says so.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy import stats

CONFIDENCE = 0.95
SIGNIFICANCE = 0.05
QUARTILE_BANDS = 4


@dataclass(frozen=True)
class WeekObservation:
    week_start: date
    caseload: int  # the unit's open cases at the start of the week
    reviews: int  # specialist reviews decided in the week
    downgrades: int  # of those, the ones that lowered the grade

    @property
    def rate(self) -> float | None:
        return self.downgrades / self.reviews if self.reviews else None


@dataclass(frozen=True)
class Band:
    index: int  # 0 is the quietest
    name: str
    low: int  # the smallest and largest weekly caseload in the band
    high: int
    weeks: int
    reviews: int
    downgrades: int
    ci_low: float | None  # Wilson 95 % interval of the rate
    ci_high: float | None

    @property
    def rate(self) -> float | None:
        return self.downgrades / self.reviews if self.reviews else None


@dataclass(frozen=True)
class Trend:
    z: float
    p_value: float


@dataclass(frozen=True)
class Correlation:
    rho: float
    p_value: float
    weeks: int


@dataclass(frozen=True)
class Effect:
    """The busiest band against the quietest."""

    busiest_rate: float
    quietest_rate: float
    difference: float
    ci_low: float
    ci_high: float
    odds_ratio: float | None
    odds_ratio_ci_low: float | None
    odds_ratio_ci_high: float | None


@dataclass(frozen=True)
class CapacityAnalysis:
    weeks: list[tuple[WeekObservation, int]]  # each week and its band index
    bands: list[Band]
    reviews: int
    downgrades: int
    trend: Trend | None  # None when there are too few bands or reviews to test
    correlation: Correlation | None
    effect: Effect | None

    @property
    def testable(self) -> bool:
        return self.trend is not None and self.effect is not None

    @property
    def significant(self) -> bool:
        return self.testable and self.trend.p_value < SIGNIFICANCE


def quartile_cuts(caseloads: Sequence[int]) -> list[float]:
    """The upper cut of every band but the last: the weekly caseload's quartiles."""
    if not caseloads:
        return []
    return [float(q) for q in np.quantile(np.asarray(caseloads, dtype=float), [0.25, 0.5, 0.75])]


def band_index(caseload: int, cuts: Sequence[float]) -> int:
    """The first band whose upper cut `caseload` does not exceed (the last band has no upper cut)."""
    return sum(caseload > cut for cut in cuts)


BAND_NAMES = {
    4: ("Quietest quarter of weeks", "Second quarter", "Third quarter", "Busiest quarter of weeks"),
}


def band_name(index: int, count: int) -> str:
    names = BAND_NAMES.get(count)
    if names:
        return names[index]
    if index == 0:
        return "Quietest weeks"
    if index == count - 1:
        return "Busiest weeks"
    return f"Band {index + 1}"


def wilson_interval(successes: int, trials: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    interval = stats.binomtest(successes, trials).proportion_ci(confidence_level=confidence, method="wilson")
    return float(interval.low), float(interval.high)


def cochran_armitage(successes: Sequence[int], trials: Sequence[int],
                     scores: Sequence[float] | None = None) -> Trend:
    """The Cochran–Armitage test for a linear trend in proportions across ordered groups (two-sided)."""
    x = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    s = np.arange(1, len(n) + 1, dtype=float) if scores is None else np.asarray(scores, dtype=float)
    total = n.sum()
    if total == 0:
        raise ValueError("no trials")
    p = x.sum() / total
    statistic = float(np.sum(s * (x - n * p)))
    variance = float(p * (1 - p) * (np.sum(n * s * s) - np.sum(n * s) ** 2 / total))
    if variance <= 0:  # every review the same way, or a single group: no trend can be seen
        return Trend(z=0.0, p_value=1.0)
    z = statistic / math.sqrt(variance)
    return Trend(z=z, p_value=float(2 * stats.norm.sf(abs(z))))


def rate_difference(x1: int, n1: int, x0: int, n0: int, confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """x1/n1 - x0/n0 with Newcombe's hybrid score interval (method 10, from the Wilson intervals)."""
    p1, p0 = x1 / n1, x0 / n0
    l1, u1 = wilson_interval(x1, n1, confidence)
    l0, u0 = wilson_interval(x0, n0, confidence)
    difference = p1 - p0
    low = difference - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
    high = difference + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
    return difference, low, high


def odds_ratio(x1: int, n1: int, x0: int, n0: int,
               confidence: float = CONFIDENCE) -> tuple[float | None, float | None, float | None]:
    """The sample odds ratio of downgrading, busiest against quietest, with its interval; None where a
    cell is empty and the ratio is not finite."""
    table = [[x1, n1 - x1], [x0, n0 - x0]]
    if 0 in (x1, n1 - x1, x0, n0 - x0):
        return None, None, None
    result = stats.contingency.odds_ratio(table, kind="sample")
    interval = result.confidence_interval(confidence_level=confidence)
    return float(result.statistic), float(interval.low), float(interval.high)


def analyse(observations: Sequence[WeekObservation], *, cuts: Sequence[float] | None = None) -> CapacityAnalysis:
    """Band the weeks (quartiles of the caseload unless `cuts` are given), then test for a trend."""
    observations = sorted(observations, key=lambda o: o.week_start)
    if cuts is None:
        cuts = quartile_cuts([o.caseload for o in observations])
    cuts = sorted(cuts)
    raw: dict[int, list[WeekObservation]] = {}
    for observation in observations:
        raw.setdefault(band_index(observation.caseload, cuts), []).append(observation)
    used = sorted(raw)  # empty bands are dropped; the rest keep their order
    renumber = {old: new for new, old in enumerate(used)}
    bands = []
    for old in used:
        weeks = raw[old]
        reviews = sum(o.reviews for o in weeks)
        downgrades = sum(o.downgrades for o in weeks)
        low, high = wilson_interval(downgrades, reviews) if reviews else (None, None)
        bands.append(Band(index=renumber[old], name=band_name(renumber[old], len(used)),
                          low=min(o.caseload for o in weeks), high=max(o.caseload for o in weeks),
                          weeks=len(weeks), reviews=reviews, downgrades=downgrades, ci_low=low, ci_high=high))
    weeks = [(o, renumber[band_index(o.caseload, cuts)]) for o in observations]
    reviews = sum(b.reviews for b in bands)
    downgrades = sum(b.downgrades for b in bands)

    reviewed = [b for b in bands if b.reviews]
    trend = effect = None
    if len(reviewed) >= 2:
        trend = cochran_armitage([b.downgrades for b in reviewed], [b.reviews for b in reviewed],
                                 [b.index + 1 for b in reviewed])
        busiest, quietest = reviewed[-1], reviewed[0]
        difference, low, high = rate_difference(busiest.downgrades, busiest.reviews,
                                                quietest.downgrades, quietest.reviews)
        ratio, ratio_low, ratio_high = odds_ratio(busiest.downgrades, busiest.reviews,
                                                  quietest.downgrades, quietest.reviews)
        effect = Effect(busiest_rate=busiest.rate, quietest_rate=quietest.rate, difference=difference,
                        ci_low=low, ci_high=high, odds_ratio=ratio, odds_ratio_ci_low=ratio_low,
                        odds_ratio_ci_high=ratio_high)

    correlation = None
    rated = [o for o in observations if o.reviews]
    if len(rated) >= 3:
        caseloads = [o.caseload for o in rated]
        rates = [o.rate for o in rated]
        if len(set(caseloads)) > 1 and len(set(rates)) > 1:
            result = stats.spearmanr(caseloads, rates)
            correlation = Correlation(rho=float(result.statistic), p_value=float(result.pvalue), weeks=len(rated))
    return CapacityAnalysis(weeks=weeks, bands=bands, reviews=reviews, downgrades=downgrades, trend=trend,
                            correlation=correlation, effect=effect)


# Plain words.

def percent(value: float) -> str:
    return f"{round(100 * value)} %"


def points(value: float) -> str:
    """A rate or difference in percentage points, with a true minus sign."""
    number = round(100 * value)
    return f"−{-number}" if number < 0 else f"{number}"


def points_word(value: float) -> str:
    return "point" if abs(round(100 * value)) == 1 else "points"


def chance_words(p_value: float) -> str:
    """How often chance alone would give a trend this strong, in words."""
    if p_value < 0.001:
        return "less than 1 time in 1,000 (p < 0.001)"
    shown = f"p = {p_value:.3f}" if p_value < 0.01 else f"p = {p_value:.2f}"
    if p_value < 0.05:
        return f"about 1 time in {round(1 / p_value):,} ({shown})"
    return f"about {max(5, min(100, round(100 * p_value)))} times in 100 ({shown})"


def explain(analysis: CapacityAnalysis) -> str:
    """What the analysis found, for a reader who is not a statistician. It describes an association
    and never claims that caseload caused the downgrades."""
    if not analysis.reviews:
        return "There were no specialist reviews in this period, so the link between caseload and downgrades cannot be tested."
    if not analysis.testable:
        return ("There were too few weeks with different caseloads in this period to compare busy and quiet "
                "weeks, so the link between caseload and downgrades cannot be tested.")
    effect, trend = analysis.effect, analysis.trend
    rates = (f"{percent(effect.busiest_rate)} of reviews in the busiest weeks against "
             f"{percent(effect.quietest_rate)} in the quietest (difference {points(effect.difference)} {points_word(effect.difference)}, "
             f"95 % CI {points(effect.ci_low)} to {points(effect.ci_high)})")
    caution = ("This shows that the two went together, not that caseload caused the downgrades: busy weeks "
               "may differ in other ways, such as the cases coming in or who was on duty.")
    if analysis.significant and trend.z > 0:
        return (f"When the unit held more open cases, specialists downgraded more often: {rates}. "
                f"A trend this strong would arise by chance {chance_words(trend.p_value)}. {caution}")
    if analysis.significant:
        return (f"When the unit held more open cases, specialists downgraded less often, not more: {rates}. "
                f"A trend this strong would arise by chance {chance_words(trend.p_value)}. {caution}")
    return (f"There is no evidence that specialists downgraded more often when the unit held more open "
            f"cases: {rates}. A trend at least this strong would arise by chance "
            f"{chance_words(trend.p_value)} even with no link at all. This does not prove there is no link: "
            f"the confidence interval shows the range of differences these data are consistent with.")
