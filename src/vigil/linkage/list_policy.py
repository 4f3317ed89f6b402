"""The policy values of the repeat-victim, serial-perpetrator and counter-allegation lists, in one place.

Every value is **policy** (domain.md): the defaults are the plain rules' constants (`repeat.py`,
`serial.py`, `counter_allegations.py`, which cite domain.md), and a force changes them as data: an
administrator adds a `ListPolicy` row with a reason, in the admin. Rows are never edited or deleted, so
the history of the policy is the table; the row in force at a moment is the latest one that took effect
by then. Every list, service and page reads the values through `list_policy()`, never the constants.

| value | default | where domain.md says it |
|---|---|---|
| repeat_window_days | 365 | repeat victim: "more than one incident in a 12-month period" |
| repeat_min_incidents | 2 | the same |
| commander_threshold | 3 | "3 contacts in the past year" flagged to local commanders |
| repeat_team_threshold | 3 | the repeat-case team (DASU) threshold; the report's 7 was too high |
| plan_review_days | 28 | Vigil's choice: every repeat victim below the threshold has a review date |
| serial_window_years | 3 | serial perpetrator: two or more victims "within the last 3 years" |
| serial_min_victims | 2 | the same |
| counter_allegation_window_years | 3 | Vigil's choice (domain.md names no window) |
"""

from dataclasses import dataclass, fields
from datetime import datetime

from django.utils import timezone

from . import counter_allegations, repeat, serial


@dataclass(frozen=True)
class ListPolicyValues:
    repeat_window_days: int = repeat.REPEAT_WINDOW_DAYS
    repeat_min_incidents: int = repeat.REPEAT_MIN_INCIDENTS
    commander_threshold: int = repeat.COMMANDER_THRESHOLD
    repeat_team_threshold: int = repeat.REPEAT_TEAM_THRESHOLD
    plan_review_days: int = repeat.PLAN_REVIEW_DAYS
    serial_window_years: int = serial.SERIAL_WINDOW_YEARS
    serial_min_victims: int = serial.SERIAL_MIN_VICTIMS
    counter_allegation_window_years: int = counter_allegations.COUNTER_ALLEGATION_WINDOW_YEARS

    @property
    def window_label(self) -> str:
        return "12 months" if self.repeat_window_days == 365 else f"{self.repeat_window_days} days"


DEFAULTS = ListPolicyValues()
POLICY_FIELDS = tuple(f.name for f in fields(ListPolicyValues))


def list_policy(now: datetime | None = None) -> ListPolicyValues:
    """The values in force at `now` (default: now): the latest `ListPolicy` row that took effect by then,
    else the defaults."""
    from .models import ListPolicy

    now = now or timezone.now()
    row = ListPolicy.objects.filter(effective_from__lte=now).order_by("-effective_from", "-id") \
        .values(*POLICY_FIELDS).first()
    return ListPolicyValues(**row) if row else DEFAULTS
