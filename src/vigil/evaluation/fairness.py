"""Whether a grading or score errs more for some groups than for everyone else. Plain rules, no Django.

Two errors matter and fall on different people. A false negative is someone later harmed who had not
been flagged: the harm the Dorset study found in two thirds of serious cases. A false positive is
someone flagged who was not later harmed: scarce safeguarding spent where it was not needed, and a
label that follows a person. Each subgroup's rates are compared with the rest of the population
(everyone not in that group), and a difference larger than the force's policy margin is flagged.

A rate is judged only when both the group and the rest have at least `min_group_size` people in its
denominator (people later harmed for the false negative rate, people not harmed for the false positive
rate). A group with a rate that cannot be judged and nothing flagged is reported as "too few to judge":
it neither passes nor fails silently. `passed` means no group was flagged; the groups too few to judge
are listed beside it, so a caller that needs every group judged can require that list to be empty.
The comparison uses the point estimates; the Wilson intervals are given with them so a reader can see
how firm each rate is.
"""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from .metrics import Proportion, _as_booleans, _check_level, proportion

WITHIN_MARGIN = "within margin"
FLAGGED = "flagged"
TOO_FEW_TO_JUDGE = "too few to judge"
MIN_GROUP_SIZE = 30  # a common rule of thumb, not policy; pass a force's own value where it has one
_ROUNDING_ALLOWANCE = 1e-9  # so a difference equal to the margin is not flagged by float rounding


@dataclass(frozen=True)
class GroupErrorRates:
    """A group's size, outcomes and error rates; a rate is None when its denominator is empty."""

    group: Hashable
    size: int
    harmed: int
    not_harmed: int
    false_positive_rate: Proportion | None  # of those not harmed, the share flagged
    false_negative_rate: Proportion | None  # of those harmed, the share not flagged


@dataclass(frozen=True)
class GroupJudgement:
    group: Hashable
    status: str  # WITHIN_MARGIN, FLAGGED or TOO_FEW_TO_JUDGE
    reasons: tuple[str, ...]  # in plain language; empty when within margin


@dataclass(frozen=True)
class FairnessResult:
    passed: bool  # no group flagged
    margin: float
    min_group_size: int
    judgements: tuple[GroupJudgement, ...]

    @property
    def flagged(self) -> list[GroupJudgement]:
        return [judgement for judgement in self.judgements if judgement.status == FLAGGED]

    @property
    def too_few_to_judge(self) -> list[GroupJudgement]:
        return [judgement for judgement in self.judgements if judgement.status == TOO_FEW_TO_JUDGE]


def subgroup_error_rates(
    predicted_positive: Sequence[bool | int],
    outcomes: Sequence[bool | int],
    groups: Sequence[Hashable],
    level: float = 0.95,
) -> dict[Hashable, GroupErrorRates]:
    """Per group, the false positive and false negative rates with Wilson intervals, and the counts."""
    predicted, harmed, labels = _check_inputs(predicted_positive, outcomes, groups)
    _check_level(level)
    return {
        group: _error_rates(group, predicted[labels == index], harmed[labels == index], level)
        for index, group in enumerate(_ordered_groups(groups))
    }


def fairness_guard(
    predicted_positive: Sequence[bool | int],
    outcomes: Sequence[bool | int],
    groups: Sequence[Hashable],
    margin: float,
    min_group_size: int = MIN_GROUP_SIZE,
    level: float = 0.95,
) -> FairnessResult:
    """Flag each group whose false positive or false negative rate differs from everyone else's by more
    than `margin` (a share: 0.1 is ten percentage points)."""
    if not 0 <= margin <= 1:
        raise ValueError(f"the margin is a share between 0 and 1 (got {margin})")
    if isinstance(min_group_size, bool) or not isinstance(min_group_size, int) or min_group_size < 1:
        raise ValueError(f"min_group_size must be a whole number of at least one (got {min_group_size!r})")
    predicted, harmed, labels = _check_inputs(predicted_positive, outcomes, groups)
    _check_level(level)
    judgements = []
    for index, group in enumerate(_ordered_groups(groups)):
        in_group = labels == index
        own = _error_rates(group, predicted[in_group], harmed[in_group], level)
        rest = _error_rates("everyone else", predicted[~in_group], harmed[~in_group], level)
        flagged, too_few = [], []
        for rate_name, own_rate, rest_rate, denominator in (
            ("false negative rate", own.false_negative_rate, rest.false_negative_rate, "later harmed"),
            ("false positive rate", own.false_positive_rate, rest.false_positive_rate, "not later harmed"),
        ):
            own_total = own_rate.total if own_rate else 0
            rest_total = rest_rate.total if rest_rate else 0
            if own_total < min_group_size or rest_total < min_group_size:
                too_few.append(
                    f"{rate_name} not judged: {own_total} {denominator} in the group and {rest_total} in "
                    f"everyone else, fewer than the {min_group_size} needed"
                )
            elif abs(own_rate.value - rest_rate.value) > margin + _ROUNDING_ALLOWANCE:
                flagged.append(_difference_reason(rate_name, own_rate, rest_rate, margin))
        if flagged:
            judgements.append(GroupJudgement(group, FLAGGED, tuple(flagged + too_few)))
        elif too_few:
            judgements.append(GroupJudgement(group, TOO_FEW_TO_JUDGE, tuple(too_few)))
        else:
            judgements.append(GroupJudgement(group, WITHIN_MARGIN, ()))
    return FairnessResult(
        passed=not any(judgement.status == FLAGGED for judgement in judgements),
        margin=margin,
        min_group_size=min_group_size,
        judgements=tuple(judgements),
    )


def _error_rates(group: Hashable, predicted: np.ndarray, harmed: np.ndarray, level: float) -> GroupErrorRates:
    harmed_count, not_harmed_count = int(harmed.sum()), int((~harmed).sum())
    return GroupErrorRates(
        group=group,
        size=len(harmed),
        harmed=harmed_count,
        not_harmed=not_harmed_count,
        false_positive_rate=(
            proportion(int((predicted & ~harmed).sum()), not_harmed_count, level)
            if not_harmed_count
            else None
        ),
        false_negative_rate=(
            proportion(int((~predicted & harmed).sum()), harmed_count, level) if harmed_count else None
        ),
    )


def _difference_reason(rate_name: str, own: Proportion, rest: Proportion, margin: float) -> str:
    if rate_name == "false negative rate":
        own_counts = f"{own.count} of {own.total} later harmed had not been flagged"
    else:
        own_counts = f"{own.count} of {own.total} not later harmed had been flagged"
    direction = "higher" if own.value > rest.value else "lower"
    return (
        f"{rate_name} {_percent(own.value)} ({own_counts}; {own.level * 100:g}% interval "
        f"{_percent(own.low)} to {_percent(own.high)}) against {_percent(rest.value)} for everyone else ({rest.count} of "
        f"{rest.total}): {_percent(abs(own.value - rest.value), unit=' points')} {direction}, "
        f"beyond the margin of {_percent(margin, unit=' points')}"
    )


def _percent(share: float, unit: str = "%") -> str:
    return f"{share * 100:.0f}{unit}"


def _ordered_groups(groups: Sequence[Hashable]) -> list[Hashable]:
    return sorted(set(groups), key=lambda group: (str(type(group)), str(group)))


def _check_inputs(
    predicted_positive: Sequence[bool | int], outcomes: Sequence[bool | int], groups: Sequence[Hashable]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The predictions and outcomes as booleans, and each person's group as its index in the ordered
    groups."""
    predicted = _as_booleans(predicted_positive, "predictions")
    harmed = _as_booleans(outcomes, "outcomes")
    if not len(predicted) == len(harmed) == len(groups):
        raise ValueError(
            f"lengths differ: {len(predicted)} predictions, {len(harmed)} outcomes, {len(groups)} groups"
        )
    if len(groups) == 0:
        raise ValueError("no people to compare")
    position = {group: index for index, group in enumerate(_ordered_groups(groups))}
    return predicted, harmed, np.array([position[group] for group in groups])
