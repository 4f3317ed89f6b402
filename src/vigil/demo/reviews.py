"""The specialist unit's reviews of the generated force's risk assessments (domain.md, "Specialist unit
routing"): every DA assessment graded high, or medium with a serious offence, gets one specialist
GradingDecision some hours to days later that keeps the grade or downgrades it.

Plain Python with no Django import. The reviews draw from their own seeded generator, so turning them
on, or turning the capacity effect on, leaves every other generated row exactly as it was; and with the
same seed the effect on and off draw the same numbers (only the downgrade threshold differs).

The unit's open caseload at an instant is the number of high-risk safeguarding cases opened before it
and not yet closed (`opened_at < t <= closed_at`, or never closed): the same definition
`vigil.risk.capacity_data` reads back from the tables. Weeks run from Monday 00:00 UTC.

- Without the capacity effect, a review downgrades with probability `BASE_DOWNGRADE_RATE` (12 %),
  whatever the caseload.
- With it (`vigil demo --inject-capacity-effect`), the probability depends on the caseload at the start
  of the decision's week: the partition's weekly caseloads are cut at their quartiles, and the four
  bands, quietest first, downgrade with `CAPACITY_DOWNGRADE_RATES` (5, 13, 22 and 30 %).
"""

import random
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from vigil.risk.routing import SERIOUS_OFFENCE_GROUPS

from .population import DAY, DAEvent

WEEK = 7 * DAY
MONDAY = 4 * DAY  # 1 January 1970 was a Thursday: Monday 5 January starts a week
BASE_DOWNGRADE_RATE = 0.12
CAPACITY_DOWNGRADE_RATES = (0.05, 0.13, 0.22, 0.30)  # by quartile of the weekly caseload, quietest first
HIGH_TO_STANDARD_SHARE = 0.15  # of downgrades from high; the rest go to medium
VICTIM_CONTACTED_SHARE = 0.7
REVIEW_DELAY = (2 * 3600, 5 * DAY)  # after the assessment
READING_TIME = (10 * 60, 90 * 60)  # the reviewer opened the assessment this long before deciding

KEPT = (
    "Reviewed the assessment, the history and the officer's account; the grading stands.",
    "Spoke with the victim; the risk factors recorded are current and the grading stands. Safety plan agreed.",
    "History and intelligence checked; nothing changes the officer's grading. Case kept with the unit.",
    "Could not reach the victim yet; on the information held the grading stands. Contact to be tried again.",
)
DOWNGRADED = (
    "The suspect has been remanded in custody; the immediate risk is reduced.",
    "The victim has moved to an address the suspect does not know; risk reduced on review.",
    "Bail conditions keep the suspect away from the victim and the address; risk reduced.",
    "On review the history does not show the escalation recorded at the scene; grading reduced.",
    "The victim says the suspect has left the area and contact has stopped; risk reduced on review.",
)
LOWER = {"high": "medium", "medium": "standard"}


def week_start(at: int) -> int:
    """The Monday 00:00 UTC starting the week of `at` (epoch seconds)."""
    return at - (at - MONDAY) % WEEK


def routed_to_specialist(event: DAEvent) -> bool:
    """All high risk, and medium risk with a serious offence (the routing rule in vigil.risk.routing)."""
    return event.grade == "high" or (event.grade == "medium" and event.offence in SERIOUS_OFFENCE_GROUPS)


@dataclass(frozen=True, slots=True)
class Review:
    grade: str
    previous_grade: str
    rationale: str
    decided_by: int
    decided_at: int
    opened_at: int
    victim_contacted: bool


class Caseload:
    """The unit's open high-risk cases over a partition's events."""

    def __init__(self, events: Sequence[DAEvent]):
        high = [e for e in events if e.grade == "high"]
        self.opens = sorted(e.at for e in high)
        self.closes = sorted(e.case_closed_at for e in high if e.case_closed_at is not None)
        weeks = range(week_start(events[0].at), week_start(events[-1].at) + WEEK, WEEK) if events else range(0)
        weekly = sorted(self.at(week) for week in weeks)
        n = len(weekly)
        self.cuts = tuple(weekly[(n * q) // 4] for q in (1, 2, 3)) if n else (0, 0, 0)
        self._bands: dict[int, int] = {}

    def at(self, t: int) -> int:
        """Cases opened before `t` and not closed before it."""
        return bisect_left(self.opens, t) - bisect_left(self.closes, t)

    def band(self, at: int) -> int:
        """0 (quietest quarter of weeks) to 3 (busiest), by the caseload at the start of `at`'s week."""
        week = week_start(at)
        band = self._bands.get(week)
        if band is None:
            band = self._bands[week] = sum(self.at(week) > cut for cut in self.cuts)
        return band


class SpecialistReviews:
    """Draws one specialist review for each assessment the unit must review."""

    def __init__(self, events: Sequence[DAEvent], *, rng: random.Random, specialist_ids: Sequence[int],
                 capacity_effect: bool):
        if not specialist_ids:
            raise ValueError("specialist reviews need at least one specialist user")
        self.rng = rng
        self.specialist_ids = tuple(specialist_ids)
        self.capacity_effect = capacity_effect
        self.caseload = Caseload(events) if capacity_effect else None

    def downgrade_rate(self, at: int) -> float:
        if self.caseload is None:
            return BASE_DOWNGRADE_RATE
        return CAPACITY_DOWNGRADE_RATES[self.caseload.band(at)]

    def review(self, event: DAEvent, assessed_at: int) -> Review | None:
        if not routed_to_specialist(event):
            return None
        rng = self.rng
        # The same draws in the same order whatever the option, so that on and off differ only in the
        # threshold the first draw is compared with.
        decided_at = assessed_at + rng.randrange(*REVIEW_DELAY)
        opened_at = decided_at - rng.randrange(*READING_TIME)
        draw, depth, contact = rng.random(), rng.random(), rng.random()
        decided_by = self.specialist_ids[rng.randrange(len(self.specialist_ids))]
        wording = rng.random()
        grade = event.grade
        if draw < self.downgrade_rate(decided_at):
            grade = "standard" if grade == "high" and depth < HIGH_TO_STANDARD_SHARE else LOWER[grade]
        texts = KEPT if grade == event.grade else DOWNGRADED
        return Review(grade=grade, previous_grade=event.grade, rationale=texts[int(wording * len(texts))],
                      decided_by=decided_by, decided_at=decided_at, opened_at=opened_at,
                      victim_contacted=contact < VICTIM_CONTACTED_SHARE)
