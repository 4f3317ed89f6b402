"""Every scoring rule in domain.md, with its edges."""

from datetime import date, timedelta

import pytest

from vigil.risk import scoring

DEFINITION = {
    "code": "t", "version": "1", "name": "Test",
    "sections": [
        {"id": "main", "title": "Main", "questions": [
            {"id": f"q{n}", "number": str(n), "text": f"Question {n}", "why": "Because"} for n in range(1, 28)]},
        {"id": "s-dash", "title": "Stalking", "follow_up": True, "questions": [
            {"id": "s1", "text": "Very frightened?", "why": "Because", "counted": False}]},
    ],
    "follow_ups": [{"when": {"question": "q8", "answer": "yes"}, "section": "s-dash"}],
    "scoring": {"method": "yes_count"},
    "grading": {"rules": [{"yes_count_at_least": 14, "indicates": "high"}],
                "floor": {"yes_count_at_least": 14, "grade": "high"}},
}


def answers_with(yes: int, *, rest: str = "no") -> dict[str, str]:
    return {f"q{n}": ("yes" if n <= yes else rest) for n in range(1, 28)}


def test_the_yes_count_counts_yes_answers_only():
    assert scoring.yes_count(DEFINITION, answers_with(5)) == 5


def test_not_known_is_never_counted_as_yes_or_as_no():
    answers = answers_with(3, rest="not_known")
    assert scoring.yes_count(DEFINITION, answers) == 3
    assert scoring.indicated_grade(DEFINITION, answers) == ""  # judgement, not a low grade


def test_uncounted_follow_up_questions_do_not_add_to_the_count():
    answers = {**answers_with(8), "s1": "yes"}
    assert scoring.yes_count(DEFINITION, answers) == 8


@pytest.mark.parametrize(("yes", "visible"), [(13, False), (14, True), (27, True), (0, False)])
def test_visible_high_risk_starts_at_14_yes_answers(yes, visible):
    assert scoring.visible_high_risk(scoring.yes_count(DEFINITION, answers_with(yes))) is visible


@pytest.mark.parametrize(("yes", "indicated"), [(13, ""), (14, "high")])
def test_14_yes_answers_indicate_high_and_13_leave_it_to_judgement(yes, indicated):
    assert scoring.indicated_grade(DEFINITION, answers_with(yes)) == indicated


def test_judgement_may_raise_a_grade_but_not_lower_it_below_high_at_14():
    assert scoring.grade_floor(DEFINITION, answers_with(14)) == "high"
    assert scoring.below("medium", "high") and not scoring.below("high", "high")
    assert scoring.grade_floor(DEFINITION, answers_with(13)) == ""
    assert not scoring.below("standard", "")


def test_a_grading_that_differs_from_the_indication_or_rests_on_judgement_needs_a_rationale():
    assert scoring.needs_rationale("medium", "")  # judgement: always explained
    assert scoring.needs_rationale("high", "medium")
    assert not scoring.needs_rationale("high", "high")


def test_a_local_threshold_is_a_rule_in_the_definition_not_code():
    local = {**DEFINITION, "grading": {"rules": [{"yes_count_at_least": 17, "indicates": "high"},
                                                 {"yes_count_at_least": 10, "indicates": "medium"},
                                                 {"yes_count_at_least": 1, "indicates": "standard"}]}}
    assert [scoring.indicated_grade(local, answers_with(n)) for n in (9, 10, 13, 16, 17)] == [
        "standard", "medium", "medium", "medium", "high"]


TODAY = date(2026, 11, 26)


def test_call_outs_count_the_12_months_up_to_and_including_this_incident():
    dates = [TODAY, TODAY - timedelta(days=364), TODAY - timedelta(days=365), TODAY + timedelta(days=1)]
    assert scoring.callouts_in_window(dates, on=TODAY) == 2  # 365 days back is outside; tomorrow is not yet


@pytest.mark.parametrize(("callouts", "escalation"), [(2, False), (3, True), (4, True)])
def test_potential_escalation_at_3_call_outs_in_12_months_counting_this_one(callouts, escalation):
    assert scoring.potential_escalation(callouts) is escalation


def test_the_escalation_threshold_is_policy():
    assert scoring.potential_escalation(3, threshold=4) is False


@pytest.mark.parametrize(("days_after", "repeat"), [(0, True), (364, True), (365, True), (366, False)])
def test_repeat_marac_within_12_months_of_the_last_referral(days_after, repeat):
    last = date(2025, 11, 26)
    assert scoring.repeat_marac(last, on=last + timedelta(days=days_after)) is repeat


def test_no_previous_marac_is_not_a_repeat():
    assert scoring.repeat_marac(None, on=TODAY) is False
