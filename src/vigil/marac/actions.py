"""MARAC actions: what an agency agreed to do for a case, by when, and what happens when it is late.
Plain rules, no Django.

Domain.md ("MARAC (SafeLives)"): responsibility for an action stays with its agency; unfinished actions
are reviewed at the next meeting, separating "circumstances changed" from "not done". Here an action is
**open**, **done** (finished, with the day) or **cancelled** (no longer needed because circumstances
changed, with the day). Where domain.md is silent, Vigil decides:

- An action is **overdue** when it is still open after its due day: due today is not overdue yet.
- It was **completed on time** when it was done on or before its due day.
- An overdue action is **escalated** to the MARAC coordinator once it is more than ``grace_days`` calendar
  days overdue (**policy**, default 0: the day after it falls due). The reason names the action, its
  agency and dates, never the case's details, so it can be sent and logged safely.
- An action **returns to the agenda** of every meeting after the one that set it while it is still open.
  Done and cancelled actions do not return.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

ESCALATION_GRACE_DAYS = 0  # policy: domain.md is silent; escalate the day after an action falls due


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Action:
    """One action agreed at a MARAC meeting. `victim_key` names the case it belongs to; `set_on` is the
    date of the meeting that agreed it; `closed_on` is the day it was done or cancelled."""

    id: int | str
    victim_key: str
    agency: str
    set_on: date
    due_on: date
    status: ActionStatus = ActionStatus.OPEN
    closed_on: date | None = None

    def __post_init__(self) -> None:
        if self.due_on < self.set_on:
            raise ValueError(f"action {self.id} is due ({self.due_on}) before it was set ({self.set_on})")
        if (self.status == ActionStatus.OPEN) != (self.closed_on is None):
            raise ValueError(f"action {self.id}: an open action has no closing day and a closed one has one")
        if self.closed_on is not None and self.closed_on < self.set_on:
            raise ValueError(
                f"action {self.id} was closed ({self.closed_on}) before it was set ({self.set_on})"
            )


@dataclass(frozen=True)
class Escalation:
    action: Action
    days_overdue: int
    reason: str


def _long(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def is_overdue(action: Action, on: date) -> bool:
    """Still open after its due day. An action due today is not overdue until tomorrow."""
    return action.status == ActionStatus.OPEN and on > action.due_on


def days_overdue(action: Action, on: date) -> int:
    return (on - action.due_on).days if is_overdue(action, on) else 0


def completed_on_time(action: Action) -> bool:
    """Done on or before its due day. Open and cancelled actions were not completed, on time or late."""
    return action.status == ActionStatus.DONE and action.closed_on <= action.due_on


def escalations(
    actions: Iterable[Action], on: date, grace_days: int = ESCALATION_GRACE_DAYS
) -> list[Escalation]:
    """Actions more than `grace_days` days overdue on `on`, for the MARAC coordinator: the longest overdue
    first."""
    if grace_days < 0:
        raise ValueError("grace_days cannot be negative")
    found = []
    for action in actions:
        late = days_overdue(action, on)
        if late > grace_days:
            days = "1 day" if late == 1 else f"{late} days"
            reason = (
                f"Action {action.id} for {action.agency}, agreed at the meeting on {_long(action.set_on)}, "
                f"was due on {_long(action.due_on)} and is still open {days} later."
            )
            found.append(Escalation(action=action, days_overdue=late, reason=reason))
    found.sort(key=lambda e: (-e.days_overdue, e.action.due_on, str(e.action.id)))
    return found


def returns_to_agenda(action: Action, meeting_date: date) -> bool:
    """An open action set at an earlier meeting comes back to the meeting on `meeting_date`."""
    return action.status == ActionStatus.OPEN and action.set_on < meeting_date


def returning_actions(actions: Iterable[Action], meeting_date: date) -> list[Action]:
    """The actions that come back to the meeting on `meeting_date`, in the order they fall due."""
    return sorted(
        (a for a in actions if returns_to_agenda(a, meeting_date)), key=lambda a: (a.due_on, str(a.id))
    )
