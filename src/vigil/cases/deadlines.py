"""Deadlines for safeguarding cases. Plain rules, no Django.

The sources are domain.md ("Victims' Code", "Protective orders and schemes") and, where domain.md only
gives a number, the Act it comes from. Working days are Monday to Friday outside the England and Wales
bank holidays (`vigil.workdays`). Times go in timezone-aware and come out in UTC, as Vigil stores them;
the calendar that matters is Europe/London's, so every "day" below is a London date.

**End of a day** means 23:59:59 Europe/London on that date (a valid local time on every date, including
the last Sundays of March and October when the clocks change), returned in UTC: 23:59:59 UTC in winter,
22:59:59 UTC in summer.

**Counting working days.** A deadline of N working days runs from a *start date*: the London date of
the event when that is a working day, otherwise the next working day after it. The start date itself is
not counted; the deadline is the end of the Nth working day after it. So an arrest at 10:00 on a
Tuesday is due, with enhanced entitlements, by the end of Wednesday; an arrest on a Saturday counts
from Monday and is due by the end of Tuesday (Wednesday when Monday is a bank holiday). For an event
on a working day exactly N working days lie after the event's date up to and including the deadline's.

The numbers marked **policy** come from domain.md and are defaults: the design keeps policy values as
data with history, which a later change will load; these constants are the fallbacks.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from vigil.workdays import LONDON, add_working_days, is_bank_holiday, is_working_day

# Victims' Code, Right 6: key events (arrest, interview under caution, release without charge or
# no further action, release on police bail or under investigation with conditions and any change to
# them, charge, bail cancelled).
ENHANCED_WORKING_DAYS = 1  # policy: victims of domestic abuse have enhanced entitlements
STANDARD_WORKING_DAYS = 5  # policy: other victims

# Remand and court bail: the victim is told the same working day, never later than 1 working day.
COURT_BAIL_WORKING_DAYS = 1  # policy

# DVPN -> DVPO (Crime and Security Act 2010, s.27): the hearing within 48 hours of service.
DVPO_HEARING_HOURS = 48  # policy: Sundays and bank holidays are not counted
DVPO_MIN_DAYS = 14  # an order is in force for 14 to 28 days beginning with the day it is made
DVPO_MAX_DAYS = 28

# Stalking protection orders (Stalking Protection Act 2019).
SPO_NOTIFICATION_DAYS = 3  # s.9(1): 3 days beginning with the date of service
SPO_MIN_YEARS = 2  # s.3(2): a fixed period of at least 2 years beginning with the day it is made

# Order expiry alerts: how many days before an order ends its owner is reminded.
EXPIRY_NOTICE_DAYS = (14, 7, 1)

# Clare's Law (Domestic Violence Disclosure Scheme, statutory guidance 2023).
CLARES_LAW_DECISION_DAYS = 28  # policy: decided within 28 days of the application
CLARES_LAW_STAGES = (
    "application and initial checks",
    "face-to-face meeting",
    "full risk assessment",
    "multi-agency decision",
    "disclosure or not, with a safety plan",
)

END_OF_DAY = time(23, 59, 59)
SEARCH_LIMIT_DAYS = 400  # guard against endless loops; no run of excluded days comes near this


def _require_aware(at: datetime, name: str) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{name} needs a timezone-aware datetime, got {at!r}")


def _london_date(at: datetime) -> date:
    return at.astimezone(LONDON).date()


def end_of_day(d: date) -> datetime:
    """23:59:59 Europe/London on `d`, in UTC."""
    return datetime.combine(d, END_OF_DAY, tzinfo=LONDON).astimezone(UTC)


def _start_of_day(d: date) -> datetime:
    """00:00 Europe/London on `d`, in UTC (midnight exists on every London date)."""
    return datetime.combine(d, time(0, 0), tzinfo=LONDON).astimezone(UTC)


def working_day_on_or_after(d: date) -> date:
    """`d` itself when it is a working day, otherwise the next working day."""
    return d if is_working_day(d) else add_working_days(d, 1)


def _working_days_deadline(at: datetime, n: int) -> datetime:
    """The end of the `n`th working day after the start date of `at` (see the module's note)."""
    start = working_day_on_or_after(_london_date(at))
    return end_of_day(add_working_days(start, n))


# --- Victims' Code ---------------------------------------------------------------------------------


def key_event_deadline(event_at: datetime, *, enhanced: bool = True) -> datetime:
    """When the victim must have been told of a key event, in UTC.

    The end (23:59:59 London) of the Nth working day after the event's London date, N being
    `ENHANCED_WORKING_DAYS` (1) for enhanced entitlements, which every domestic abuse victim has, or
    `STANDARD_WORKING_DAYS` (5) otherwise. An event on a weekend or bank holiday counts from the next
    working day: a Saturday arrest is due by the end of Tuesday with enhanced entitlements.
    """
    _require_aware(event_at, "key_event_deadline")
    n = ENHANCED_WORKING_DAYS if enhanced else STANDARD_WORKING_DAYS
    return _working_days_deadline(event_at, n)


def court_bail_target(decided_at: datetime) -> datetime:
    """When the victim should be told a court has bailed the suspect: the aim, in UTC.

    Policy says "the same working day": the end (23:59:59 London) of the decision's London date when
    that is a working day; a decision on a weekend or bank holiday (a Saturday remand court) targets
    the end of the next working day.
    """
    _require_aware(decided_at, "court_bail_target")
    return _working_days_deadline(decided_at, 0)


def court_bail_deadline(decided_at: datetime) -> datetime:
    """When the victim must have been told a court has bailed the suspect: the limit, in UTC.

    Policy says "the same working day, never later than 1 working day". Vigil reads the same day as the
    target (`court_bail_target`) and the limit as the end (23:59:59 London) of the working day after
    it: a Monday decision is due by the end of Tuesday, a Saturday decision by the end of Tuesday too
    (target Monday), and a Thursday decision before Good Friday by the end of Easter Tuesday.
    """
    _require_aware(decided_at, "court_bail_deadline")
    return _working_days_deadline(decided_at, COURT_BAIL_WORKING_DAYS)


# --- DVPN and DVPO ---------------------------------------------------------------------------------


def is_dvpo_excluded_day(d: date) -> bool:
    """A Sunday or an England and Wales bank holiday (Christmas Day and Good Friday are among them).

    These days do not count towards the 48 hours between a DVPN's service and the DVPO hearing
    (Crime and Security Act 2010, s.27(4)). Saturdays count: magistrates' courts sit on Saturdays.
    """
    return d.weekday() == 6 or is_bank_holiday(d)


def dvpo_hearing_deadline(dvpn_served_at: datetime) -> datetime:
    """The latest moment for the DVPO hearing: 48 counted hours after the DVPN was served, in UTC.

    Only time on London dates that are not Sundays or bank holidays is counted; an excluded day
    stops the clock from its midnight to the next midnight, so it extends the deadline by the hours it
    spans. Hours are real elapsed hours (a 23- or 25-hour day counts as such), though in the UK the
    clocks change only on Sundays, which are excluded anyway. Served on an excluded day, the clock
    starts at 00:00 on the next counted day.

    Served Saturday 10:00: 14 hours of Saturday, Sunday skipped, 24 of Monday, 10 of Tuesday: due
    Tuesday 10:00 (Wednesday 10:00 if Monday is a bank holiday).
    """
    _require_aware(dvpn_served_at, "dvpo_hearing_deadline")
    remaining = timedelta(hours=DVPO_HEARING_HOURS)
    current = dvpn_served_at.astimezone(UTC)
    for _ in range(SEARCH_LIMIT_DAYS):
        day = _london_date(current)
        next_midnight = _start_of_day(day + timedelta(days=1))
        if not is_dvpo_excluded_day(day):
            available = next_midnight - current
            if remaining <= available:
                return current + remaining
            remaining -= available
        current = next_midnight
    raise ValueError(f"no DVPO hearing deadline within {SEARCH_LIMIT_DAYS} days of {dvpn_served_at}")


def dvpo_end(made_on: date, days: int) -> date:
    """The last day a DVPO is in force, given the day it was made and its length in days.

    A DVPO is in force for 14 to 28 days *beginning with the day on which it is made* (Crime and
    Security Act 2010, s.28(10)), so the day it is made is day 1: a 14-day order made on 1 June is in
    force until the end of 14 June. Any other length is a ValueError.
    """
    if isinstance(days, bool) or not isinstance(days, int):
        raise TypeError(f"a DVPO's length is a whole number of days, got {days!r}")
    if not DVPO_MIN_DAYS <= days <= DVPO_MAX_DAYS:
        raise ValueError(
            f"a DVPO lasts from {DVPO_MIN_DAYS} to {DVPO_MAX_DAYS} days, not {days} "
            "(Crime and Security Act 2010, s.28(10))"
        )
    return made_on + timedelta(days=days - 1)


# --- Stalking protection orders --------------------------------------------------------------------


def spo_notification_deadline(served_at: datetime) -> datetime:
    """When the subject of a stalking protection order must have notified their name and home address.

    "Within the period of 3 days beginning with the date of service" (Stalking Protection Act 2019,
    s.9(1); domain.md: "within 3 days"): the day of service is day 1, so the deadline is the end
    (23:59:59 London) of the second calendar day after the London date of service, in UTC. Calendar
    days, not working days: an order served on a Friday is due by the end of Sunday. The same period
    applies to an interim order and, from the day of the change, to a new name or a new home address.
    """
    _require_aware(served_at, "spo_notification_deadline")
    return end_of_day(_london_date(served_at) + timedelta(days=SPO_NOTIFICATION_DAYS - 1))


def _anniversary(d: date, years: int) -> date:
    """The same date `years` later; 29 February becomes 1 March in a common year (the later day)."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return date(d.year + years, 3, 1)


def spo_valid_duration(start: date, end: date | None) -> bool:
    """Whether a (full, not interim) stalking protection order's duration meets the 2-year minimum.

    An order has effect for a fixed period of at least 2 years *beginning with the day on which it is
    made*, or until a further order (Stalking Protection Act 2019, s.3). `start` is the day it was
    made, `end` the last day it is in force (inclusive), or None for "until a further order" (always
    valid). An order made on 10 January 2026 must run at least to the end of 9 January 2028. For an
    order made on 29 February the 2 years end on 28 February (the anniversary taken as 1 March).
    Interim orders have no minimum and are not checked here.
    """
    if end is None:
        return True
    return end >= _anniversary(start, SPO_MIN_YEARS) - timedelta(days=1)


# --- Order expiry ----------------------------------------------------------------------------------


def expiry_alerts(ends_on: date, *, today: date, notice_days: Iterable[int] = EXPIRY_NOTICE_DAYS) -> list[date]:
    """The days on which to alert an order's owner that it ends on `ends_on`, earliest first.

    One alert `n` calendar days before `ends_on` for each `n` in `notice_days` (0 means on the last
    day itself), keeping only those on or after `today`: alerts already past are dropped, not
    caught up (the order's end date is on the case for all to see). Duplicates are merged. Calendar
    days: an alert that falls on a weekend stays there, since an order ends on weekends too.
    """
    alerts = set()
    for n in notice_days:
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"notice days are whole numbers of days, 0 or more, not {n!r}")
        alert_on = ends_on - timedelta(days=n)
        if alert_on >= today:
            alerts.add(alert_on)
    return sorted(alerts)


# --- Clare's Law -----------------------------------------------------------------------------------


def clares_law_decision_deadline(applied_at: datetime) -> datetime:
    """When a Clare's Law application (right to ask or right to know) must be decided, in UTC.

    domain.md: decided within 28 days of the application (policy), with immediate risk acted on at
    once. Vigil reads 28 calendar days: the end (23:59:59 London) of the 28th day after the London
    date of the application; an application on 1 June is decided by the end of 29 June.

    TODO(policy): domain.md lists the stages (`CLARES_LAW_STAGES`: application and initial checks,
    face-to-face meeting, full risk assessment, multi-agency decision, disclosure or not with a safety
    plan) but gives no deadline for any single stage, and no time limit for acting on immediate risk
    beyond "at once". Those per-stage values are missing and are deliberately not invented here.
    """
    _require_aware(applied_at, "clares_law_decision_deadline")
    return end_of_day(_london_date(applied_at) + timedelta(days=CLARES_LAW_DECISION_DAYS))
