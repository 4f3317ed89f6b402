"""Check ownership rules: which checks an incident needs, who owns each and by when (plain rules)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from vigil.checks.check_policy import AUTOMATIC_CHECKS, CheckKind, checks_due, rule_for


@dataclass
class Rule:
    kind: str
    performed_by: str
    grades: str = "1,2,3,4"
    domestic_abuse_only: bool = True
    deadline_minutes: int = 10
    active: bool = True

    @property
    def grade_set(self):
        return frozenset(int(g) for g in self.grades.split(","))


RECEIVED = datetime(2026, 11, 26, 22, 0, tzinfo=UTC)


def test_each_check_is_owned_by_the_rule_for_the_incident_grade():
    rules = [Rule("firearms", "dispatcher", "1,2", deadline_minutes=5),
             Rule("firearms", "intelligence_researcher", "3,4", deadline_minutes=60)]
    assert rule_for(rules, kind=CheckKind.FIREARMS, is_domestic_abuse=True, grade=1).performed_by == "dispatcher"
    assert rule_for(rules, kind=CheckKind.FIREARMS, is_domestic_abuse=True, grade=3).performed_by == \
        "intelligence_researcher"


def test_a_domestic_abuse_only_rule_does_not_apply_to_other_incidents():
    rules = [Rule("marac", "dispatcher", domestic_abuse_only=True), Rule("force_systems", "call_taker",
                                                                           domestic_abuse_only=False)]
    due = checks_due(rules, is_domestic_abuse=False, grade=2, received_at=RECEIVED)
    assert [d.kind for d in due] == [CheckKind.FORCE_SYSTEMS]


def test_an_inactive_rule_gives_no_check():
    rules = [Rule("firearms", "dispatcher", active=False)]
    assert checks_due(rules, is_domestic_abuse=True, grade=1, received_at=RECEIVED) == []


def test_two_owners_for_one_check_is_refused():
    rules = [Rule("firearms", "dispatcher", "1,2"), Rule("firearms", "call_taker", "2,3")]
    with pytest.raises(ValueError, match="two owners"):
        rule_for(rules, kind=CheckKind.FIREARMS, is_domestic_abuse=True, grade=2)


def test_the_deadline_counts_from_when_the_call_was_received():
    due = checks_due([Rule("childrens_services", "intelligence_researcher", deadline_minutes=30)],
                     is_domestic_abuse=True, grade=2, received_at=RECEIVED)
    assert due[0].due_at == RECEIVED + timedelta(minutes=30)
    assert not due[0].automatic


def test_vigil_makes_the_checks_on_its_own_records_and_leaves_the_others_to_people():
    assert AUTOMATIC_CHECKS == {CheckKind.FORCE_SYSTEMS, CheckKind.ORDERS_AND_BAIL, CheckKind.PREVIOUS_RISK,
                                CheckKind.MARAC}
    assert CheckKind.FIREARMS not in AUTOMATIC_CHECKS and CheckKind.CHILDRENS_SERVICES not in AUTOMATIC_CHECKS
