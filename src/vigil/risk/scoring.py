"""Scoring and grading per domain.md. Plain rules, no Django: the count of yes answers, visible high risk,
potential escalation, repeat MARAC, the grade the answers indicate and when a grading needs a rationale.

Policy values (domain.md) with their defaults; callers pass a force's own values where it has them.
"""

from collections.abc import Mapping
from datetime import date, timedelta

from . import instruments

VISIBLE_HIGH_RISK = 14  # 14 or more "yes" answers (SafeLives)
ESCALATION_THRESHOLD = 3  # incidents in the 12 months up to and including this one
ESCALATION_WINDOW = timedelta(days=365)
REPEAT_MARAC_WINDOW = timedelta(days=365)
GRADE_ORDER = {"standard": 1, "medium": 2, "high": 3}


def yes_count(definition: Mapping, answers: Mapping[str, str]) -> int:
    """The "yes" answers to the counted questions of the sections asked. "Not known" is not "no" and not
    "yes": it is simply not counted."""
    return sum(1 for q in instruments.counted_questions(definition, answers) if answers.get(q.id) == "yes")


def weighted_score(definition: Mapping, answers: Mapping[str, str]) -> int:
    weights = definition.get("scoring", {}).get("weights", {})
    return sum(int(weight) for qid, weight in weights.items() if answers.get(qid) == "yes")


def visible_high_risk(count: int, *, threshold: int = VISIBLE_HIGH_RISK) -> bool:
    return count >= threshold


def callouts_in_window(incident_dates: list[date], *, on: date, window: timedelta = ESCALATION_WINDOW) -> int:
    """Incidents in the 12 months up to and including `on` (the current incident among them)."""
    return sum(1 for d in incident_dates if on - window < d <= on)


def potential_escalation(callouts_including_current: int, *, threshold: int = ESCALATION_THRESHOLD) -> bool:
    return callouts_including_current >= threshold


def repeat_marac(last_referral: date | None, *, on: date, window: timedelta = REPEAT_MARAC_WINDOW) -> bool:
    """Abuse between the same victim and perpetrator within 12 months of the last MARAC referral goes back
    to MARAC whatever the local threshold; after 12 months it is a new referral."""
    return last_referral is not None and last_referral <= on <= last_referral + window


def indicated_grade(definition: Mapping, answers: Mapping[str, str]) -> str:
    """The grade the answers indicate under the instrument's grading rules, or "" for professional
    judgement (no rule holds)."""
    count, weighted = yes_count(definition, answers), weighted_score(definition, answers)
    for rule in definition.get("grading", {}).get("rules", []):
        holds = True
        if "yes_count_at_least" in rule:
            holds &= count >= rule["yes_count_at_least"]
        if "weighted_at_least" in rule:
            holds &= weighted >= rule["weighted_at_least"]
        if "any_yes" in rule:
            holds &= any(answers.get(q) == "yes" for q in rule["any_yes"])
        if "all_yes" in rule:
            holds &= all(answers.get(q) == "yes" for q in rule["all_yes"])
        if holds:
            return rule["indicates"]
    return ""


def grade_floor(definition: Mapping, answers: Mapping[str, str]) -> str:
    """The lowest grade judgement may give: with 14 or more "yes" answers, never below high (SafeLives)."""
    floor = definition.get("grading", {}).get("floor")
    if floor and yes_count(definition, answers) >= floor["yes_count_at_least"]:
        return floor["grade"]
    return ""


def below(grade: str, floor: str) -> bool:
    return bool(floor) and GRADE_ORDER[grade] < GRADE_ORDER[floor]


def needs_rationale(grade: str, indicated: str) -> bool:
    """A grading needs a rationale when it differs from what the answers indicate, and whenever the
    grade is a matter of professional judgement (no rule indicated one)."""
    return grade != indicated
