"""What the control-room supervisors' board highlights, and in what order. Plain rules, no Django.

The inspection found supervisors spotted high-risk calls by scanning the incident list by eye, so at
busy times some were missed. The board therefore highlights by explicit rules, one rule per highlight,
each highlight saying why in a plain sentence with its numbers, and a supervisor acknowledges every
highlighted incident.

Order (`priority`): the sum of the highlights' weights plus a factor for the response grade. The board
lists incidents that need acknowledgement first, then by priority (highest first), then oldest first.

Acknowledgement (`needs_acknowledgement`): an incident needs one while any of its highlights is not in
its latest acknowledgement, so a highlight that appears after an acknowledgement needs a new one.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from .history import HistoryFacts, is_repeat_caller

LONDON = ZoneInfo("Europe/London")

# Highlight codes. A check that is overdue has its own code per kind of check, so a second overdue
# check is a new highlight.
HIGH_RISK_VICTIM = "high_risk_victim"
WEAPONS = "weapons"
SUSPECT_PRESENT = "suspect_present"
INJURIES = "injuries"
CHILDREN_PRESENT = "children_present"
SERIAL_PERPETRATOR = "serial_perpetrator"
PROTECTIVE_ORDER = "protective_order"
BAIL_CONDITIONS = "bail_conditions"
MARAC = "marac"
VIOLENCE_MARKER = "violence_marker"
VULNERABLE_MARKER = "vulnerable_marker"
REPEAT_VICTIM = "repeat_victim"
CASE_UNOWNED = "case_unowned"
CHECKS_UNTAKEN = "checks_untaken"
CHECK_OVERDUE_PREFIX = "check_overdue:"
NOT_ASSESSED = "not_assessed"

# How much each highlight moves an incident up the board.
WEIGHTS = {
    NOT_ASSESSED: 200,  # nothing may sit unseen because the board has not looked at it yet
    HIGH_RISK_VICTIM: 100,
    WEAPONS: 60,
    SUSPECT_PRESENT: 50,
    INJURIES: 40,
    CHILDREN_PRESENT: 40,
    SERIAL_PERPETRATOR: 30,
    PROTECTIVE_ORDER: 30,
    BAIL_CONDITIONS: 30,
    MARAC: 30,
    VIOLENCE_MARKER: 30,
    CHECK_OVERDUE_PREFIX: 25,  # each overdue check
    REPEAT_VICTIM: 20,
    VULNERABLE_MARKER: 15,
    CASE_UNOWNED: 15,
    CHECKS_UNTAKEN: 10,
}

# Highlights this heavy are shown in red; the rest in orange. The words always say the same.
SEVERE_WEIGHT = 50

# Short tag text for each highlight (the reason always follows it in words).
LABELS = {
    NOT_ASSESSED: "Not assessed",
    HIGH_RISK_VICTIM: "High-risk victim",
    WEAPONS: "Weapons",
    SUSPECT_PRESENT: "Suspect present",
    INJURIES: "Injuries",
    CHILDREN_PRESENT: "Children",
    SERIAL_PERPETRATOR: "Serial perpetrator",
    PROTECTIVE_ORDER: "Order in force",
    BAIL_CONDITIONS: "Bail conditions",
    MARAC: "MARAC",
    VIOLENCE_MARKER: "Warning marker",
    VULNERABLE_MARKER: "Vulnerable",
    REPEAT_VICTIM: "Repeat victim",
    CASE_UNOWNED: "No case owner",
    CHECKS_UNTAKEN: "Checks not taken",
    CHECK_OVERDUE_PREFIX: "Check overdue",
}

# Response grade 1 (emergency) counts for more than grade 4 (resolved without deployment).
GRADE_FACTOR = {1: 40, 2: 20, 3: 5, 4: 0}

NOT_ASSESSED_REASON = "Not yet assessed by the board"


@dataclass(frozen=True)
class Highlight:
    code: str
    reason: str
    weight: int

    @property
    def label(self) -> str:
        return label_of(self.code)

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "reason": self.reason}


@dataclass(frozen=True)
class OpenCheck:
    """A background check not yet done: what it is, whose queue it is in, when it is due, and whether a
    named person has taken it."""

    kind: str
    label: str
    performer: str  # the owner role's label, e.g. "Dispatcher"
    due_at: datetime
    taken: bool


def _base(code: str) -> str:
    return CHECK_OVERDUE_PREFIX if code.startswith(CHECK_OVERDUE_PREFIX) else code


def weight_of(code: str) -> int:
    return WEIGHTS.get(_base(code), 0)


def label_of(code: str) -> str:
    return LABELS.get(_base(code), code)


def is_check_highlight(code: str) -> bool:
    """Highlights that depend on the clock and the checks, worked out again each time the board is read."""
    return code == CHECKS_UNTAKEN or code.startswith(CHECK_OVERDUE_PREFIX)


def _make(code: str, reason: str) -> Highlight:
    return Highlight(code, reason, weight_of(code))


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _clock(at: datetime, now: datetime) -> str:
    local, today = at.astimezone(LONDON), now.astimezone(LONDON)
    if local.date() == today.date():
        return f"{local:%H:%M}"
    return f"{local:%H:%M} on {local.day} {local:%b}"


# One rule per highlight. Each returns the highlight, or None.

def high_risk_victim(facts: HistoryFacts) -> Highlight | None:
    if facts.latest_grade == "high":
        return _make(HIGH_RISK_VICTIM, "Victim graded high risk at their last assessment")
    if "high_risk_victim" in facts.marker_kinds:
        return _make(HIGH_RISK_VICTIM, "High-risk victim warning marker in force")
    return None


def weapons_mentioned(value: bool | None) -> Highlight | None:
    return _make(WEAPONS, "Caller says weapons are involved") if value is True else None


def suspect_at_scene(value: bool | None) -> Highlight | None:
    return _make(SUSPECT_PRESENT, "Suspect still at the scene") if value is True else None


def injuries_reported(value: bool | None) -> Highlight | None:
    return _make(INJURIES, "Injuries reported") if value is True else None


def children_at_scene(value: bool | None) -> Highlight | None:
    return _make(CHILDREN_PRESENT, "Children present") if value is True else None


def serial_perpetrator(facts: HistoryFacts) -> Highlight | None:
    n = facts.suspect_other_victims
    if n < 1:
        return None
    return _make(SERIAL_PERPETRATOR, f"Suspect has abused {_plural(n, 'other victim', 'other victims')}")


def protective_order(facts: HistoryFacts) -> Highlight | None:
    return _make(PROTECTIVE_ORDER, "Protective order in force") if "protective_order" in facts.marker_kinds else None


def bail_conditions(facts: HistoryFacts) -> Highlight | None:
    return _make(BAIL_CONDITIONS, "Bail conditions in force") if "bail_conditions" in facts.marker_kinds else None


def marac(facts: HistoryFacts) -> Highlight | None:
    if facts.marac_12m:
        return _make(MARAC, "MARAC case in the last 12 months")
    if "marac" in facts.marker_kinds:
        return _make(MARAC, "MARAC warning marker in force")
    return None


def violence_marker(facts: HistoryFacts) -> Highlight | None:
    kinds = [k for k in ("violence", "weapons") if k in facts.marker_kinds]
    if not kinds:
        return None
    if len(kinds) == 2:
        return _make(VIOLENCE_MARKER, "Violence and weapons warning markers")
    return _make(VIOLENCE_MARKER, f"{kinds[0].capitalize()} warning marker")


def vulnerable_marker(facts: HistoryFacts) -> Highlight | None:
    return _make(VULNERABLE_MARKER, "Vulnerable person warning marker") if "vulnerable" in facts.marker_kinds \
        else None


def repeat_victim(facts: HistoryFacts) -> Highlight | None:
    """`victim_calls_12m` counts the victim's previous incidents in 12 months, this call excluded."""
    if not is_repeat_caller(facts.victim_calls_12m):
        return None
    return _make(REPEAT_VICTIM, f"Victim's {_ordinal(facts.victim_calls_12m + 1)} call in 12 months (repeat victim)")


def case_unowned(facts: HistoryFacts) -> Highlight | None:
    return _make(CASE_UNOWNED, "Open case has no owner") if facts.open_case_unowned else None


def checks_untaken(open_checks: Iterable[OpenCheck]) -> Highlight | None:
    untaken = [c for c in open_checks if not c.taken]
    if not untaken:
        return None
    which = "; ".join(f"{c.label} ({c.performer})" for c in untaken)
    return _make(CHECKS_UNTAKEN,
                 f"{_plural(len(untaken), 'background check', 'background checks')} not yet taken by anyone: {which}")


def checks_overdue(open_checks: Iterable[OpenCheck], now: datetime) -> list[Highlight]:
    return [_make(f"{CHECK_OVERDUE_PREFIX}{c.kind}",
                  f"Check overdue: {c.label} (due {_clock(c.due_at, now)})"
                  + ("" if c.taken else ", not taken by anyone"))
            for c in sorted(open_checks, key=lambda c: c.due_at) if c.due_at < now]


def check_highlights(open_checks: Iterable[OpenCheck], *, now: datetime) -> list[Highlight]:
    open_checks = list(open_checks)
    found = [checks_untaken(open_checks), *checks_overdue(open_checks, now)]
    return [h for h in found if h is not None]


def highlights(*, facts: HistoryFacts, grade: int, weapons: bool | None, injuries: bool | None,
               children_present: bool | None, suspect_present: bool | None, open_checks: list[OpenCheck],
               now: datetime) -> list[Highlight]:
    """Every highlight for one incident, heaviest first. `grade` is kept for symmetry with `priority`:
    no highlight depends on it."""
    found = [
        high_risk_victim(facts),
        weapons_mentioned(weapons),
        suspect_at_scene(suspect_present),
        injuries_reported(injuries),
        children_at_scene(children_present),
        serial_perpetrator(facts),
        protective_order(facts),
        bail_conditions(facts),
        marac(facts),
        violence_marker(facts),
        repeat_victim(facts),
        vulnerable_marker(facts),
        case_unowned(facts),
        *check_highlights(open_checks, now=now),
    ]
    return sort_highlights(h for h in found if h is not None)


def sort_highlights(found: Iterable[Highlight]) -> list[Highlight]:
    return sorted(found, key=lambda h: -h.weight)


def not_assessed() -> Highlight:
    """For an open incident the board has no entry for yet: it is shown, never left off."""
    return _make(NOT_ASSESSED, NOT_ASSESSED_REASON)


def priority(found: Iterable[Highlight], grade: int) -> int:
    """The weights of the highlights added up, plus the response grade's factor (grade 1 highest)."""
    return sum(h.weight for h in found) + GRADE_FACTOR.get(grade, 0)


def needs_acknowledgement(highlight_codes: Iterable[str], acknowledged_codes: Iterable[str] | None) -> bool:
    """True while any highlight is not in the latest acknowledgement (None when there is none)."""
    return bool(set(highlight_codes) - set(acknowledged_codes or ()))
