"""Which background checks an incident needs, who owns each and by when. Plain rules, no Django.

A force's policy is a table of rules (kind of check, who performs it, for domestic abuse incidents
only or for all, which response grades, deadline). For one incident, each kind of check is owned by
exactly one rule: the active rule for that kind whose scope and grades include the incident. Checks
Vigil can make itself (its own records) are made at once and recorded as done; the rest become tasks.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol


class CheckKind(StrEnum):
    FORCE_SYSTEMS = "force_systems"
    ORDERS_AND_BAIL = "orders_and_bail"
    PREVIOUS_RISK = "previous_risk"
    MARAC = "marac"
    CHILDRENS_SERVICES = "childrens_services"
    FIREARMS = "firearms"


CHECK_LABELS = {
    CheckKind.FORCE_SYSTEMS: "Force systems (incidents, people, markers)",
    CheckKind.ORDERS_AND_BAIL: "Orders and bail conditions",
    CheckKind.PREVIOUS_RISK: "Previous risk assessments",
    CheckKind.MARAC: "MARAC",
    CheckKind.CHILDRENS_SERVICES: "Children's services flag",
    CheckKind.FIREARMS: "Firearms licensing",
}

# Vigil holds these records itself, so it makes these checks the moment it knows the people and place.
# Children's services flags and firearms licensing are held by other systems: someone must look.
AUTOMATIC_CHECKS = frozenset({CheckKind.FORCE_SYSTEMS, CheckKind.ORDERS_AND_BAIL, CheckKind.PREVIOUS_RISK,
                              CheckKind.MARAC})


class Performer(StrEnum):
    CALL_TAKER = "call_taker"
    DISPATCHER = "dispatcher"
    INTELLIGENCE_RESEARCHER = "intelligence_researcher"
    ATTENDING_OFFICER = "attending_officer"


PERFORMER_LABELS = {
    Performer.CALL_TAKER: "Call taker",
    Performer.DISPATCHER: "Dispatcher",
    Performer.INTELLIGENCE_RESEARCHER: "Intelligence researcher",
    Performer.ATTENDING_OFFICER: "Attending officer",
}

# The user role that works each performer's queue (the attending officer is the response officer sent).
PERFORMER_ROLE = {
    Performer.CALL_TAKER: "call_taker",
    Performer.DISPATCHER: "dispatcher",
    Performer.INTELLIGENCE_RESEARCHER: "intelligence_researcher",
    Performer.ATTENDING_OFFICER: "response_officer",
}

CHECK_CHOICES = [(kind.value, CHECK_LABELS[kind]) for kind in CheckKind]
PERFORMER_CHOICES = [(p.value, PERFORMER_LABELS[p]) for p in Performer]


class RuleLike(Protocol):
    kind: str
    performed_by: str
    domestic_abuse_only: bool
    deadline_minutes: int
    active: bool

    @property
    def grade_set(self) -> frozenset[int]: ...


@dataclass(frozen=True)
class CheckDue:
    kind: CheckKind
    rule: RuleLike
    due_at: datetime
    automatic: bool


def rules_overlap(a_grades: frozenset[int], b_grades: frozenset[int]) -> bool:
    """Two active rules for one kind of check overlap when they share a grade: a domestic abuse
    incident of that grade would have two owners (every domestic-abuse-only rule's scope is inside an
    all-incidents rule's scope)."""
    return bool(a_grades & b_grades)


def rule_for(rules: Iterable[RuleLike], *, kind: CheckKind, is_domestic_abuse: bool, grade: int) -> RuleLike | None:
    """The one active rule that owns this kind of check for this incident, or None."""
    matching = [r for r in rules if r.active and r.kind == kind and grade in r.grade_set
                and (is_domestic_abuse or not r.domestic_abuse_only)]
    if len(matching) > 1:
        raise ValueError(f"policy gives the {kind} check two owners for grade {grade}")
    return matching[0] if matching else None


def checks_due(rules: Iterable[RuleLike], *, is_domestic_abuse: bool, grade: int,
               received_at: datetime) -> list[CheckDue]:
    """Every check this incident needs under the policy, with its owner rule and deadline."""
    rules = list(rules)
    due = []
    for kind in CheckKind:
        rule = rule_for(rules, kind=kind, is_domestic_abuse=is_domestic_abuse, grade=grade)
        if rule is not None:
            due.append(CheckDue(kind, rule, received_at + timedelta(minutes=rule.deadline_minutes),
                                kind in AUTOMATIC_CHECKS))
    return due
