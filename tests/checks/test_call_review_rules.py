"""The call-review checklist and the sampling rule, without a database."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from vigil.checks import call_review
from vigil.checks.call_review import (
    CHECKLIST,
    CHECKLIST_CODES,
    MIN_PER_MONTH,
    CoverageFigures,
    answers_problems,
    coverage_totals,
    meets_minimum,
    month_bounds,
    parse_month,
    sample_calls,
)

LONDON = ZoneInfo("Europe/London")


def test_the_checklist_covers_the_call_handling_questions_once_each():
    assert 8 <= len(CHECKLIST) <= 10
    assert len(set(CHECKLIST_CODES)) == len(CHECKLIST)
    for needed in ("safe_to_talk", "weapons", "children", "suspect_present", "history_checked", "safety_advice",
                   "kept_on_line", "graded_correctly", "own_words", "recognised_da"):
        assert needed in CHECKLIST_CODES
    assert all(item.question.endswith("?") for item in CHECKLIST)


def test_no_django_in_the_plain_rules():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(call_review))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert not any(name.startswith("django") for name in imported)


def _all(value: str) -> dict[str, str]:
    return {code: value for code in CHECKLIST_CODES}


def test_every_item_answered_with_an_allowed_value_is_accepted():
    assert answers_problems(_all("met")) == {}
    mixed = _all("not_applicable") | {"weapons": "not_met"}
    assert answers_problems(mixed) == {}


def test_a_missing_item_a_blank_and_a_bad_value_are_each_reported_against_their_item():
    answers = _all("met")
    del answers["weapons"]
    answers["children"] = ""
    answers["own_words"] = "yes"
    problems = answers_problems(answers)
    assert set(problems) == {"weapons", "children", "own_words"}
    assert "weapons" in problems["weapons"] or "Answer" in problems["weapons"]
    assert "met, not met or not applicable" in problems["own_words"]


def test_answers_for_items_not_on_the_checklist_are_refused():
    problems = answers_problems(_all("met") | {"made_up": "met"})
    assert "made_up" in problems["__all__"]


@pytest.mark.parametrize("text,expected", [("2025-03", date(2025, 3, 1)), (" 2024-12 ", date(2024, 12, 1)),
                                           ("2025-1", date(2025, 1, 1))])
def test_parse_month(text, expected):
    assert parse_month(text) == expected


@pytest.mark.parametrize("text", ["", "March", "2025-13", "2025-00", "25-03", "2025/03", "1999-01", "2025-03-01"])
def test_parse_month_refuses_anything_else_with_a_message(text):
    with pytest.raises(ValueError, match="like 2025-03"):
        parse_month(text)


def test_month_bounds_are_london_calendar_months_across_the_clock_change():
    start, end = month_bounds(date(2025, 3, 1), LONDON)
    assert start.astimezone(UTC) == datetime(2025, 3, 1, 0, 0, tzinfo=UTC)  # GMT
    assert end.astimezone(UTC) == datetime(2025, 3, 31, 23, 0, tzinfo=UTC)  # 1 April BST
    start, end = month_bounds(date(2024, 12, 1), LONDON)
    assert end.date() == date(2025, 1, 1)


def _calls(taker: str, n: int) -> list[str]:
    return [f"{taker}-{i:02d}" for i in range(n)]


def test_each_call_taker_gets_two_calls_from_their_own():
    eligible = {"amy": _calls("amy", 10), "ben": _calls("ben", 3)}
    chosen = sample_calls(eligible, {}, seed="s")
    assert set(chosen) == {"amy", "ben"}
    for taker, calls in chosen.items():
        assert len(calls) == MIN_PER_MONTH
        assert len(set(calls)) == MIN_PER_MONTH
        assert set(calls) <= set(eligible[taker])


def test_a_call_taker_with_fewer_calls_than_the_minimum_gets_all_of_them_and_none_gets_nothing():
    chosen = sample_calls({"amy": ["amy-1"], "ben": []}, {}, seed=1)
    assert chosen == {"amy": ["amy-1"]}


def test_the_same_seed_gives_the_same_sample_and_other_seeds_vary_it():
    eligible = {"amy": _calls("amy", 30), "ben": _calls("ben", 30)}
    first = sample_calls(eligible, {}, seed="2025-03:abc")
    assert sample_calls(eligible, {}, seed="2025-03:abc") == first
    # Order of the input does not matter.
    shuffled = {"ben": list(reversed(eligible["ben"])), "amy": list(reversed(eligible["amy"]))}
    assert sample_calls(shuffled, {}, seed="2025-03:abc") == first
    others = {tuple(sample_calls(eligible, {}, seed=s)["amy"]) for s in range(20)}
    assert len(others) > 1


def test_one_call_takers_sample_does_not_depend_on_who_else_took_calls():
    amy = _calls("amy", 12)
    alone = sample_calls({"amy": amy}, {}, seed=7)
    with_others = sample_calls({"amy": amy, "ben": _calls("ben", 5), "cat": _calls("cat", 9)}, {}, seed=7)
    assert alone["amy"] == with_others["amy"]


def test_the_choice_is_fair_every_call_is_picked_about_as_often():
    calls = _calls("amy", 5)
    counts = dict.fromkeys(calls, 0)
    for seed in range(2000):
        for call in sample_calls({"amy": calls}, {}, seed=seed)["amy"]:
            counts[call] += 1
    # Each call is picked with probability 2/5: 800 of 2000 expected.
    assert all(650 < n < 950 for n in counts.values()), counts


def test_calls_already_sampled_count_towards_the_minimum_and_are_never_picked_again():
    eligible = {"amy": _calls("amy", 6), "ben": _calls("ben", 6), "cat": _calls("cat", 6)}
    already = {"amy": ["amy-00", "amy-01"], "ben": ["ben-03"]}
    chosen = sample_calls(eligible, already, seed="x")
    assert "amy" not in chosen
    assert len(chosen["ben"]) == 1 and chosen["ben"][0] != "ben-03"
    assert len(chosen["cat"]) == 2


def test_topping_up_when_new_calls_come_in_for_a_call_taker_still_below_the_minimum():
    # One call so far, already sampled; a second call comes in later in the month.
    assert sample_calls({"amy": ["amy-1"]}, {"amy": ["amy-1"]}, seed=1) == {}
    assert sample_calls({"amy": ["amy-1", "amy-2"]}, {"amy": ["amy-1"]}, seed=1) == {"amy": ["amy-2"]}


def test_meets_minimum():
    assert meets_minimum(calls=5, reviewed=2)
    assert not meets_minimum(calls=5, reviewed=1)
    assert meets_minimum(calls=1, reviewed=1)
    assert not meets_minimum(calls=1, reviewed=0)
    assert meets_minimum(calls=0, reviewed=0)


def test_coverage_totals():
    rows = [CoverageFigures(calls=5, sampled=2, reviewed=2), CoverageFigures(calls=1, sampled=1, reviewed=0),
            CoverageFigures(calls=3, sampled=2, reviewed=1)]
    totals = coverage_totals(rows)
    assert (totals.call_takers, totals.calls, totals.sampled, totals.reviewed) == (3, 9, 5, 3)
    assert totals.below_minimum == 2 and not totals.all_meet_minimum
