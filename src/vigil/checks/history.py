"""What the control-room history says, as plain rules (no Django): windows, what counts as a repeat
call, and how the history of one call is summarised for the board and the attending officer.

The College of Policing's call-handling guidance (domain.md): an absence of recorded contact does not
mean there is no history; consider whether the suspect has abused previous victims, whether this is the
first call-out or one of many, any previous risk assessment and its grade, a MARAC in the last 12
months, and an agreed code word.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

RECENT_WINDOW = timedelta(days=365)  # "the last 12 months"
REPEAT_CALLS_IN_WINDOW = 2  # the force's repeat-victim definition: more than one incident in 12 months
RECENT_INCIDENTS_SHOWN = 20
PEOPLE_SHOWN = 40

NO_RECORD_FOUND = ("No record found for this address, number or person. This does not mean there is no "
                   "history: ask the caller about previous incidents and keep checking as details emerge.")

# Marker kinds the control room must see (refuge markers only for those allowed to know a refuge).
SAFETY_MARKERS = ("violence", "weapons", "vulnerable", "high_risk_victim", "marac", "bail_conditions",
                  "protective_order", "domestic_abuse")
REFUGE_MARKER = "refuge"


def window_start(now: datetime) -> datetime:
    return now - RECENT_WINDOW


def is_repeat_caller(calls_in_window: int, *, threshold: int = REPEAT_CALLS_IN_WINDOW) -> bool:
    """A victim with this many incidents in the last 12 months, counting this one, is a repeat victim."""
    return calls_in_window + 1 >= threshold


@dataclass(frozen=True)
class HistoryFacts:
    """What the board and the officer's brief need from one incident's history, without names."""

    records_found: bool
    address_incidents_12m: int = 0
    phone_incidents_12m: int = 0
    marker_kinds: frozenset[str] = frozenset()
    latest_grade: str = ""  # highest latest grading among the victims: "high", "medium", "standard", ""
    victim_calls_12m: int = 0
    suspect_other_victims: int = 0
    marac_12m: bool = False
    open_case_unowned: bool = False
    notes: tuple[str, ...] = field(default=())
