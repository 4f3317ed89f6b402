"""Call-review sampling: the domestic abuse call-handling checklist and the fair sample. Plain rules, no Django.

Supervisors review at least MIN_PER_MONTH domestic abuse calls per call taker each calendar month
(Europe/London), against the checklist below. Vigil picks the calls at random, so that every call a
call taker took is equally likely to be checked, not the ones a supervisor happens to remember. The
random choice is seeded, so the same seed over the same calls gives the same sample.
"""

import random
import re
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from enum import StrEnum
from typing import TypeVar

MIN_PER_MONTH = 2


class Answer(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    NOT_APPLICABLE = "not_applicable"


ANSWER_LABELS = {
    Answer.MET: "Met",
    Answer.NOT_MET: "Not met",
    Answer.NOT_APPLICABLE: "Not applicable",
}


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    question: str
    hint: str = ""


# The domestic abuse call-handling checklist. Codes are stored with each review: never reuse one for a
# different question; add a new code instead.
CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem("safe_to_talk", "Did the call taker ask whether the caller was safe to talk?",
                  "Including offering yes or no questions if the suspect could hear"),
    ChecklistItem("recognised_da", "Did the call taker recognise domestic abuse and flag the incident?",
                  "During the call, not only when an officer flagged it later"),
    ChecklistItem("suspect_present", "Did the call taker ask whether the suspect was still there?",
                  "And, if not, where they had gone and how"),
    ChecklistItem("weapons", "Did the call taker ask about weapons?"),
    ChecklistItem("children", "Did the call taker ask whether children were present or live there?"),
    ChecklistItem("history_checked", "Did the call taker check the history and tell the attending officer?",
                  "Previous incidents, warning markers, orders, bail and risk gradings"),
    ChecklistItem("kept_on_line", "Did the call taker keep the caller on the line where needed?",
                  "Until officers arrived, when the caller was in immediate danger"),
    ChecklistItem("safety_advice", "Did the call taker give safety advice?"),
    ChecklistItem("graded_correctly", "Was the response graded correctly for the risk?"),
    ChecklistItem("own_words", "Did the call taker record the caller's own words?"),
)
CHECKLIST_CODES: tuple[str, ...] = tuple(item.code for item in CHECKLIST)
ANSWER_VALUES = frozenset(a.value for a in Answer)


def answers_problems(answers: Mapping[str, object]) -> dict[str, str]:
    """What is wrong with a set of answers, by checklist item code; empty when every item has an allowed
    answer. Answers to codes that are not on the checklist are reported under "__all__"."""
    problems: dict[str, str] = {}
    for item in CHECKLIST:
        value = answers.get(item.code)
        if value is None or value == "":
            problems[item.code] = f"Answer “{item.question}”"
        elif value not in ANSWER_VALUES:
            problems[item.code] = f"Choose met, not met or not applicable for “{item.question}”"
    unknown = sorted(str(code) for code in answers if code not in CHECKLIST_CODES)
    if unknown:
        problems["__all__"] = f"Answers given for items not on the checklist: {', '.join(unknown)}"
    return problems


def not_met_count(answers: Mapping[str, str]) -> int:
    return sum(1 for code in CHECKLIST_CODES if answers.get(code) == Answer.NOT_MET)


# --- Months -----------------------------------------------------------------------------------------

MONTH_PATTERN = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def parse_month(text: str) -> date:
    """"2025-03" to 1 March 2025. ValueError with a message fit to show for anything else."""
    match = MONTH_PATTERN.match(text or "")
    if not match:
        raise ValueError("Enter the month as a year and month, like 2025-03")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise ValueError("Enter a month from 01 to 12, like 2025-03")
    if year < 2000:
        raise ValueError("Enter a year from 2000 onwards, like 2025-03")
    return date(year, month, 1)


def month_bounds(month: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """The first instant of the calendar month in `zone` and the first instant of the next one."""
    start, end = month_start(month), next_month(month)
    return datetime(start.year, start.month, 1, tzinfo=zone), datetime(end.year, end.month, 1, tzinfo=zone)


# --- The sample ---------------------------------------------------------------------------------------

Taker = TypeVar("Taker", bound=Hashable)
Call = TypeVar("Call", bound=Hashable)


def sample_calls(eligible: Mapping[Taker, Iterable[Call]], already: Mapping[Taker, Collection[Call]], *,
                 seed: str | int, minimum: int = MIN_PER_MONTH) -> dict[Taker, list[Call]]:
    """The calls to add to the sample, by call taker.

    `eligible` holds each call taker's calls that may be sampled (domestic abuse, fully recorded, in the
    month); `already` the calls already in the sample. Each call taker is topped up to `minimum` sampled
    calls, or to all their eligible calls when they have fewer; one already at the minimum gets nothing.
    Calls must be sortable (ids). Each call taker's choice uses its own random.Random seeded with the seed
    and the call taker, so it is reproducible and does not depend on who else took calls.
    """
    chosen: dict[Taker, list[Call]] = {}
    for taker in sorted(eligible, key=str):
        calls = sorted(set(eligible[taker]))
        sampled = set(already.get(taker, ()))
        target = min(minimum, len(set(calls) | sampled))
        need = target - len(sampled)
        candidates = [call for call in calls if call not in sampled]
        if need <= 0 or not candidates:
            continue
        rng = random.Random(f"{seed}:{taker}")
        chosen[taker] = sorted(rng.sample(candidates, min(need, len(candidates))))
    return chosen


# --- Coverage -----------------------------------------------------------------------------------------

def meets_minimum(*, calls: int, reviewed: int, minimum: int = MIN_PER_MONTH) -> bool:
    """At least `minimum` calls reviewed, or every call when the call taker took fewer."""
    return reviewed >= min(minimum, calls)


@dataclass(frozen=True)
class CoverageFigures:
    calls: int
    sampled: int
    reviewed: int

    @property
    def meets_minimum(self) -> bool:
        return meets_minimum(calls=self.calls, reviewed=self.reviewed)


@dataclass(frozen=True)
class CoverageTotals:
    call_takers: int
    calls: int
    sampled: int
    reviewed: int
    below_minimum: int  # call takers not yet at the minimum

    @property
    def all_meet_minimum(self) -> bool:
        return self.below_minimum == 0


def coverage_totals(rows: Sequence[CoverageFigures]) -> CoverageTotals:
    return CoverageTotals(
        call_takers=len(rows),
        calls=sum(r.calls for r in rows),
        sampled=sum(r.sampled for r in rows),
        reviewed=sum(r.reviewed for r in rows),
        below_minimum=sum(1 for r in rows if not r.meets_minimum),
    )
