"""Working days and school days in England and Wales. Plain rules, no Django.

- A **working day** is Monday to Friday and not an England and Wales bank holiday (domain.md, Victims'
  Code). Bank holidays come from the `holidays` package, substitute days included (Christmas Day on a
  Saturday gives a holiday on the Monday after, and so on).
- A **school day** is a working day outside the school holidays given (`term_breaks`: inclusive date
  ranges, since term dates are each school's or local authority's own). The school day starts at
  `SCHOOL_DAY_STARTS` (policy), Europe/London time.

Operation Encompass: the school is told "before the start of the next school day". Vigil reads that as
the first school-day start (08:30 London time) *strictly after the moment of attendance*:

- attended on a school day at or after 08:30, or on any evening, weekend or holiday: 08:30 on the next
  school day (a Friday-evening incident is due by Monday 08:30, or Tuesday when Monday is a bank holiday);
- attended on a school day before 08:30 (say 02:00 on a Tuesday): 08:30 that same day, because the child
  goes to school that morning and the school must know before they arrive.

Times go in and come out timezone-aware; `next_school_day_start` answers in UTC, as Vigil stores times.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
SCHOOL_DAY_STARTS = time(8, 30)  # policy: when the school's designated safeguarding lead must know
SEARCH_LIMIT_DAYS = 400  # no run of non-school days is longer than this; a guard against endless loops


@lru_cache(maxsize=64)
def _bank_holidays_in(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def bank_holidays(years: int | Iterable[int]) -> set[date]:
    """The England and Wales bank holidays in the given year or years (substitute days included)."""
    if isinstance(years, int):
        years = [years]
    found: set[date] = set()
    for year in years:
        found |= _bank_holidays_in(year)
    return found


def is_bank_holiday(d: date) -> bool:
    return d in _bank_holidays_in(d.year)


def is_working_day(d: date) -> bool:
    """Monday to Friday and not an England and Wales bank holiday."""
    return d.weekday() < 5 and not is_bank_holiday(d)


def add_working_days(start_date: date, n: int) -> date:
    """The date `n` working days after `start_date` (the start itself is not counted, whatever it is).

    `add_working_days(friday, 1)` is the Monday (the Tuesday when Monday is a bank holiday); `n == 0`
    gives `start_date` back unchanged; a negative `n` counts back the same way.
    """
    step = 1 if n >= 0 else -1
    d = start_date
    remaining = abs(n)
    while remaining:
        d += timedelta(days=step)
        if is_working_day(d):
            remaining -= 1
    return d


def _in_breaks(d: date, term_breaks: Iterable[tuple[date, date]]) -> bool:
    return any(first <= d <= last for first, last in term_breaks)


def is_school_day(d: date, *, term_breaks: Iterable[tuple[date, date]] = ()) -> bool:
    """A working day outside the given school holidays (inclusive date ranges)."""
    return is_working_day(d) and not _in_breaks(d, term_breaks)


def next_school_day_start(after: datetime, *, term_breaks: Iterable[tuple[date, date]] = ()) -> datetime:
    """The first school-day start (08:30 London time) strictly after `after`, in UTC.

    `after` must be timezone-aware. See the module's note for why an attendance before 08:30 on a school
    day is due the same morning.
    """
    if after.tzinfo is None or after.utcoffset() is None:
        raise ValueError("next_school_day_start needs a timezone-aware datetime")
    breaks = [(first, last) for first, last in term_breaks]
    for first, last in breaks:
        if first > last:
            raise ValueError(f"a school holiday cannot end ({last}) before it starts ({first})")
    local = after.astimezone(LONDON)
    d = local.date()
    for _ in range(SEARCH_LIMIT_DAYS):
        starts = datetime.combine(d, SCHOOL_DAY_STARTS, tzinfo=LONDON)
        if starts > local and is_school_day(d, term_breaks=breaks):
            return starts.astimezone(UTC)
        d += timedelta(days=1)
    raise ValueError(f"no school day within {SEARCH_LIMIT_DAYS} days of {after.isoformat()}")
