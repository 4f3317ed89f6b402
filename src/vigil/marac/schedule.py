"""When a MARAC meets, and the last day a referral can reach a meeting. Plain rules, no Django.

Domain.md ("MARAC (SafeLives)"): meetings every two weeks in the report, monthly or fortnightly nationally.
Each MARAC area keeps its own interval (**policy**, default 14 days) counted from an anchor date, one of
its meetings: the planned meeting dates are ``anchor + k * every_days`` for every whole number ``k``, so
the anchor fixes the rhythm, not the first meeting. Callers pass the area's interval;
``MEETING_EVERY_DAYS`` is the default an area starts with. ("Monthly" is every 28 days here; a calendar month is
not a fixed number of days.)

Where domain.md is silent, Vigil decides:
- **A planned date that is not a working day** (a weekend or an England and Wales bank holiday) moves to
  the next working day. The rhythm is kept: the meeting after is still planned from the anchor, not from
  the moved date.
- **The referral cut-off** is ``REFERRAL_CUT_OFF_WORKING_DAYS`` working days before the meeting
  (**policy**, default 5), so partners have time to research the case. A referral received on the
  cut-off day is in time for that meeting; one received the day after waits for the next.
- Meetings are at least ``SHORTEST_INTERVAL_DAYS`` apart, so that a moved meeting (the longest run of
  non-working days is four, at Easter and some Christmases) can never meet or pass the next one.
"""

from collections.abc import Iterator
from datetime import date, timedelta

from vigil.workdays import add_working_days, is_working_day

MEETING_EVERY_DAYS = 14  # policy: fortnightly, as in the report (domain.md "MARAC (SafeLives)")
REFERRAL_CUT_OFF_WORKING_DAYS = 5  # policy: domain.md is silent; Vigil's default
SHORTEST_INTERVAL_DAYS = 7


def _check_interval(every_days: int) -> None:
    if every_days < SHORTEST_INTERVAL_DAYS:
        raise ValueError(
            f"MARAC meetings must be at least {SHORTEST_INTERVAL_DAYS} days apart, not {every_days}"
        )


def working_day_on_or_after(d: date) -> date:
    """`d` itself when it is a working day, otherwise the next working day."""
    while not is_working_day(d):
        d += timedelta(days=1)
    return d


def _planned_dates_from(anchor: date, every_days: int, earliest: date) -> Iterator[date]:
    """Planned dates (before any move) in order, from the last one on or before `earliest`."""
    k = (earliest - anchor).days // every_days
    while True:
        yield anchor + timedelta(days=k * every_days)
        k += 1


def _meetings_from(anchor: date, every_days: int, earliest: date) -> Iterator[date]:
    """Meeting dates (moved to working days) on or after `earliest`, in order, without end.

    Starts from the planned date on or before `earliest`, because it may move forward onto or past it; the
    one before is at least a week earlier and moves by at most four days.
    """
    _check_interval(every_days)
    for planned in _planned_dates_from(anchor, every_days, earliest):
        held = working_day_on_or_after(planned)
        if held >= earliest:
            yield held


def meeting_dates(anchor: date, every_days: int, start: date, end: date) -> list[date]:
    """The dates the MARAC meets from `start` to `end` inclusive, each moved to a working day."""
    dates = []
    for held in _meetings_from(anchor, every_days, start):
        if held > end:
            break
        dates.append(held)
    return dates


def next_meeting(anchor: date, every_days: int, on: date) -> date:
    """The first meeting on or after `on` (a meeting held that day is the next one)."""
    return next(_meetings_from(anchor, every_days, on))


def referral_cut_off(meeting_date: date, *, working_days_before: int = REFERRAL_CUT_OFF_WORKING_DAYS) -> date:
    """The last day a referral can be received and still be heard at the meeting on `meeting_date`."""
    if working_days_before < 0:
        raise ValueError("the referral cut-off cannot be after the meeting")
    return add_working_days(meeting_date, -working_days_before)


def meeting_for_referral(
    received_on: date,
    anchor: date,
    every_days: int,
    *,
    working_days_before: int = REFERRAL_CUT_OFF_WORKING_DAYS,
) -> date:
    """The first meeting whose cut-off a referral received on `received_on` meets."""
    for held in _meetings_from(anchor, every_days, received_on):
        if received_on <= referral_cut_off(held, working_days_before=working_days_before):
            return held
    raise AssertionError("unreachable: meetings never run out")
