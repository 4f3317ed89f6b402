"""Subgroup error rates and the fairness guard, on populations built so every rate is known exactly."""

import pytest

from vigil.evaluation import fairness, metrics


def people(group: str, *, harmed: int, missed: int, not_harmed: int, wrongly_flagged: int):
    """A group's predictions and outcomes: `missed` of the `harmed` were not flagged (false negatives),
    `wrongly_flagged` of the `not_harmed` were flagged (false positives)."""
    predicted = [False] * missed + [True] * (harmed - missed)
    predicted += [True] * wrongly_flagged + [False] * (not_harmed - wrongly_flagged)
    outcomes = [True] * harmed + [False] * not_harmed
    return predicted, outcomes, [group] * (harmed + not_harmed)


def population(*groups):
    predicted, outcomes, labels = [], [], []
    for group_predicted, group_outcomes, group_labels in groups:
        predicted += group_predicted
        outcomes += group_outcomes
        labels += group_labels
    return predicted, outcomes, labels


def test_subgroup_error_rates_worked_by_hand():
    # Group a: 4 harmed, 1 missed -> FNR 1/4; 6 not harmed, 3 flagged -> FPR 3/6.
    # Group b: 2 harmed, both flagged -> FNR 0/2; 3 not harmed, none flagged -> FPR 0/3.
    predicted, outcomes, groups = population(
        people("b", harmed=2, missed=0, not_harmed=3, wrongly_flagged=0),
        people("a", harmed=4, missed=1, not_harmed=6, wrongly_flagged=3),
    )
    rates = fairness.subgroup_error_rates(predicted, outcomes, groups)
    assert list(rates) == ["a", "b"]
    a, b = rates["a"], rates["b"]
    assert (a.size, a.harmed, a.not_harmed) == (10, 4, 6)
    missed, wrongly_flagged = a.false_negative_rate, a.false_positive_rate
    assert (missed.count, missed.total, missed.value) == (1, 4, 0.25)
    assert (wrongly_flagged.count, wrongly_flagged.total, wrongly_flagged.value) == (3, 6, 0.5)
    assert (a.false_positive_rate.low, a.false_positive_rate.high) == metrics.wilson_interval(3, 6)
    assert (b.false_negative_rate.value, b.false_positive_rate.value) == (0.0, 0.0)
    assert b.false_negative_rate.high == pytest.approx(metrics.wilson_interval(0, 2)[1])


def test_a_group_with_nobody_harmed_has_no_false_negative_rate():
    rates = fairness.subgroup_error_rates([True, False], [False, False], ["c", "c"])
    assert rates["c"].false_negative_rate is None
    assert rates["c"].false_positive_rate.value == 0.5


FAIR = {"harmed": 100, "missed": 30, "not_harmed": 400, "wrongly_flagged": 80}  # FNR 30%, FPR 20%


def test_the_guard_flags_a_group_with_a_planted_higher_false_negative_rate():
    # Group b misses 60 of its 100 harmed; a and c miss 30 of 100. The false positive rates are equal.
    # b against everyone else: 60% against 60/200 = 30%, 30 points apart: beyond a 20-point margin.
    # a against everyone else (b and c): 30% against 90/200 = 45%, 15 points apart: within it.
    predicted, outcomes, groups = population(
        people("a", **FAIR),
        people("b", **{**FAIR, "missed": 60}),
        people("c", **FAIR),
    )
    result = fairness.fairness_guard(predicted, outcomes, groups, margin=0.2)
    assert result.passed is False
    assert [judgement.group for judgement in result.flagged] == ["b"]
    assert {judgement.group: judgement.status for judgement in result.judgements} == {
        "a": "within margin",
        "b": "flagged",
        "c": "within margin",
    }
    (reason,) = result.flagged[0].reasons
    assert reason.startswith("false negative rate 60% (60 of 100 later harmed had not been flagged;")
    assert "against 30% for everyone else (60 of 200): 30 points higher" in reason
    assert "beyond the margin of 20 points" in reason


def test_the_guard_flags_a_group_with_a_planted_lower_false_positive_rate_too():
    # Group b is flagged far less often when not harmed: 20 of 400 (5%) against 160 of 800 (20%).
    predicted, outcomes, groups = population(
        people("a", **FAIR),
        people("b", **{**FAIR, "wrongly_flagged": 20}),
        people("c", **FAIR),
    )
    result = fairness.fairness_guard(predicted, outcomes, groups, margin=0.1)
    assert [judgement.group for judgement in result.flagged] == ["b"]
    assert "false positive rate 5%" in result.flagged[0].reasons[0]
    assert "15 points lower" in result.flagged[0].reasons[0]


def test_the_guard_passes_a_fair_population():
    predicted, outcomes, groups = population(people("a", **FAIR), people("b", **FAIR), people("c", **FAIR))
    result = fairness.fairness_guard(predicted, outcomes, groups, margin=0.05)
    assert result.passed is True
    assert result.flagged == [] and result.too_few_to_judge == []
    assert all(judgement.reasons == () for judgement in result.judgements)


def test_a_difference_equal_to_the_margin_is_not_flagged():
    # a against everyone else in the planted population above: 30% against 45%, exactly 15 points.
    predicted, outcomes, groups = population(
        people("a", **FAIR),
        people("b", **{**FAIR, "missed": 60}),
        people("c", **FAIR),
    )
    statuses = {
        judgement.group: judgement.status
        for judgement in fairness.fairness_guard(predicted, outcomes, groups, margin=0.15).judgements
    }
    assert statuses["a"] == "within margin"
    statuses = {
        judgement.group: judgement.status
        for judgement in fairness.fairness_guard(predicted, outcomes, groups, margin=0.149).judgements
    }
    assert statuses["a"] == "flagged"


def test_a_group_too_small_to_judge_is_listed_neither_passed_nor_failed():
    # Group d has 5 harmed people, all missed (FNR 100%), and 20 not harmed: both below the minimum of
    # 30, so nothing about it can be judged, however extreme its rates look.
    predicted, outcomes, groups = population(
        people("a", **FAIR),
        people("b", **FAIR),
        people("d", harmed=5, missed=5, not_harmed=20, wrongly_flagged=20),
    )
    result = fairness.fairness_guard(predicted, outcomes, groups, margin=0.1, min_group_size=30)
    assert result.passed is True
    assert [judgement.group for judgement in result.too_few_to_judge] == ["d"]
    assert result.too_few_to_judge[0].reasons == (
        "false negative rate not judged: 5 later harmed in the group and 200 in everyone else, "
        "fewer than the 30 needed",
        "false positive rate not judged: 20 not later harmed in the group and 800 in everyone else, "
        "fewer than the 30 needed",
    )


def test_a_group_flagged_on_one_rate_is_flagged_even_if_the_other_cannot_be_judged():
    # Group e has 400 not harmed, all flagged (FPR 100% against 20%), and only 10 harmed.
    predicted, outcomes, groups = population(
        people("a", **FAIR),
        people("e", harmed=10, missed=3, not_harmed=400, wrongly_flagged=400),
    )
    result = fairness.fairness_guard(predicted, outcomes, groups, margin=0.1, min_group_size=30)
    judgement = next(judgement for judgement in result.judgements if judgement.group == "e")
    assert judgement.status == "flagged"
    assert judgement.reasons[0].startswith("false positive rate 100%")
    assert judgement.reasons[1].startswith("false negative rate not judged")
    assert result.passed is False


def test_a_single_group_has_no_one_to_be_compared_with():
    predicted, outcomes, groups = population(people("a", **FAIR))
    result = fairness.fairness_guard(predicted, outcomes, groups, margin=0.1)
    assert [judgement.status for judgement in result.judgements] == ["too few to judge"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"margin": 1.5}, "margin"),
        ({"margin": -0.1}, "margin"),
        ({"margin": 0.1, "min_group_size": 0}, "min_group_size"),
        ({"margin": 0.1, "groups": ["a"]}, "lengths differ"),
        ({"margin": 0.1, "predicted_positive": [], "outcomes": [], "groups": []}, "no people"),
    ],
)
def test_the_guard_refuses_what_it_cannot_judge(arguments, message):
    data = {"predicted_positive": [True, False], "outcomes": [True, False], "groups": ["a", "b"]}
    with pytest.raises(ValueError, match=message):
        fairness.fairness_guard(**{**data, **arguments})
