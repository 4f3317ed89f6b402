"""The capacity analysis against the demo generator: it finds the effect the generator was told to plant
(`capacity_effect=True`, `vigil demo --inject-capacity-effect`) and finds none when it was not. On SQLite,
in process (force_generate(parallel=False)), rolled back after each force."""

from datetime import date

import pytest
from django.db import transaction
from django.db.models import F, Q

from vigil.accounts.models import User
from vigil.demo.profiles import profile_get
from vigil.demo.services import force_generate
from vigil.risk.capacity import analyse
from vigil.risk.capacity_data import Period, default_period, weekly_observations
from vigil.risk.models import GradingDecision, RiskAssessment
from vigil.risk.routing import SERIOUS_OFFENCE_GROUPS

SCALE = 0.2  # about 330 specialist reviews a year, 1,300 over the four generated years
SEEDS = (1, 3)
WHOLE_HISTORY = Period(date(2009, 9, 1), date(2013, 8, 31))


def generated(*, seed: int, scale: float, capacity_effect: bool, read):
    with transaction.atomic():
        force_generate(profile=profile_get("leicestershire-2013"), seed=seed, scale=scale,
                       capacity_effect=capacity_effect)
        result = read()
        transaction.set_rollback(True)
    return result


def analyses():
    return {"last 12 months": analyse(weekly_observations(period=default_period())),
            "four years": analyse(weekly_observations(period=WHOLE_HISTORY))}


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("seed", SEEDS)
def test_an_injected_capacity_effect_is_found(seed):
    for name, analysis in generated(seed=seed, scale=SCALE, capacity_effect=True, read=analyses).items():
        assert analysis.trend.p_value < 0.01, name
        assert analysis.trend.z > 0, name
        assert analysis.effect.difference > 0.1 and analysis.effect.ci_low > 0, name
        assert analysis.effect.odds_ratio > 1, name
        assert analysis.correlation.rho > 0 and analysis.correlation.p_value < 0.01, name


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("seed", SEEDS)
def test_without_the_option_no_effect_is_found(seed):
    for name, analysis in generated(seed=seed, scale=SCALE, capacity_effect=False, read=analyses).items():
        assert analysis.trend.p_value > 0.05, name
        assert analysis.effect.ci_low < 0 < analysis.effect.ci_high, name
        assert 0.08 < analysis.downgrades / analysis.reviews < 0.16, name  # the base rate, 12 %


def _reviews():
    decisions = GradingDecision.objects.filter(stage="specialist")
    # Routed by the grade the case was opened with (the officer's): all high, medium with a serious crime.
    routed = RiskAssessment.objects.filter(
        Q(incident__cases__risk_level="high")
        | Q(incident__cases__risk_level="medium", incident__crimes__offence_group__in=SERIOUS_OFFENCE_GROUPS))
    return {
        "rows": sorted(decisions.values_list("assessment__public_id", "public_id", "grade", "previous_grade",
                                             "decided_at", "opened_at", "victim_contacted", "rationale",
                                             "decided_by__username")),
        "assessments": RiskAssessment.objects.count(),
        "reviewed": decisions.values("assessment").distinct().count(),
        "routed": routed.distinct().count(),
        "current_grade_is_the_review": not decisions.exclude(grade=F("assessment__grade")).exists(),
        "specialists": sorted((u.username, u.role, u.has_usable_password(), u.agency.code) for u in
                              User.objects.filter(username__startswith="demo-specialist-")),
    }


@pytest.mark.django_db
def test_specialist_reviews_are_generated_once_per_routed_assessment_and_deterministically():
    first = generated(seed=5, scale=0.01, capacity_effect=False, read=_reviews)
    again = generated(seed=5, scale=0.01, capacity_effect=False, read=_reviews)
    planted = generated(seed=5, scale=0.01, capacity_effect=True, read=_reviews)
    assert first == again
    assert first["rows"] and first["reviewed"] == len(first["rows"]) == first["routed"]
    assert first["current_grade_is_the_review"]
    assert {row[3] for row in first["rows"]} <= {"high", "medium"}
    assert all(row[4] > row[5] for row in first["rows"])  # opened before deciding
    assert first["specialists"] == [(f"demo-specialist-{n:02d}", "specialist_investigator", False,
                                     "leicestershire-police") for n in range(1, 9)]
    # The option changes only which reviews downgrade: the same reviews, times and reviewers.
    assert [row[:2] + row[3:7] + row[8:] for row in planted["rows"]] == \
        [row[:2] + row[3:7] + row[8:] for row in first["rows"]]
