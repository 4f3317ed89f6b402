"""Deadlines for safeguarding cases (plain rules, no database).

Calendar used below (England and Wales bank holidays):
- 2026: Good Friday 3 April, Easter Monday 6 April, early May 4 May, late May 25 May, late August
  31 August, Christmas Day Friday 25 December, Boxing Day Saturday 26 December (a bank holiday itself)
  with Monday 28 December in lieu, 1 January 2027 a Friday.
- 2027: Christmas Day and Boxing Day fall at the weekend: Monday 27 and Tuesday 28 December in lieu.
- British Summer Time 2026 runs from Sunday 29 March to Sunday 25 October (2027: 28 March to 31 October).
"""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vigil.cases.deadlines import (
    CLARES_LAW_DECISION_DAYS,
    DVPO_HEARING_HOURS,
    ENHANCED_WORKING_DAYS,
    STANDARD_WORKING_DAYS,
    clares_law_decision_deadline,
    court_bail_deadline,
    court_bail_target,
    dvpo_end,
    dvpo_hearing_deadline,
    end_of_day,
    expiry_alerts,
    is_dvpo_excluded_day,
    key_event_deadline,
    spo_notification_deadline,
    spo_valid_duration,
)
from vigil.workdays import LONDON, is_working_day


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def eod(y: int, m: int, d: int) -> datetime:
    """23:59:59 London on the date, in UTC: what every end-of-day deadline must equal."""
    return london(y, m, d, 23, 59, 59).astimezone(UTC)


def working_days_between(after: date, upto: date) -> int:
    """Working days in (after, upto]: an independent count, one day at a time."""
    count, d = 0, after
    while d < upto:
        d += timedelta(days=1)
        count += is_working_day(d)
    return count


# --- End of day across the clock changes -----------------------------------------------------------


@pytest.mark.parametrize(("day", "utc"), [
    (date(2026, 3, 28), datetime(2026, 3, 28, 23, 59, 59, tzinfo=UTC)),  # Saturday, still GMT
    (date(2026, 3, 29), datetime(2026, 3, 29, 22, 59, 59, tzinfo=UTC)),  # last Sunday of March: BST
    (date(2026, 10, 24), datetime(2026, 10, 24, 22, 59, 59, tzinfo=UTC)),  # Saturday, still BST
    (date(2026, 10, 25), datetime(2026, 10, 25, 23, 59, 59, tzinfo=UTC)),  # last Sunday of October: GMT
    (date(2027, 3, 28), datetime(2027, 3, 28, 22, 59, 59, tzinfo=UTC)),
    (date(2027, 10, 31), datetime(2027, 10, 31, 23, 59, 59, tzinfo=UTC)),
])
def test_end_of_day_is_london_23_59_59_on_clock_change_sundays(day, utc):
    got = end_of_day(day)
    assert got == utc
    assert got.utcoffset() == timedelta(0)
    local = got.astimezone(LONDON)
    assert (local.date(), local.time()) == (day, time(23, 59, 59))


# --- Victims' Code: key events ---------------------------------------------------------------------


@pytest.mark.parametrize(("event_at", "due"), [
    (london(2026, 6, 2, 10, 0), eod(2026, 6, 3)),    # Tuesday -> Wednesday
    (london(2026, 6, 2, 0, 0), eod(2026, 6, 3)),     # first second of Tuesday: still Wednesday
    (london(2026, 6, 5, 23, 59), eod(2026, 6, 8)),   # Friday night -> Monday
    (london(2026, 6, 6, 10, 0), eod(2026, 6, 9)),    # Saturday counts from Monday -> Tuesday
    (london(2026, 6, 7, 23, 0), eod(2026, 6, 9)),    # Sunday likewise -> Tuesday
    (london(2026, 4, 2, 18, 0), eod(2026, 4, 7)),    # Thursday before Good Friday -> Easter Tuesday
    (london(2026, 4, 3, 9, 0), eod(2026, 4, 8)),     # Good Friday counts from Tuesday -> Wednesday
    (london(2026, 4, 6, 9, 0), eod(2026, 4, 8)),     # Easter Monday counts from Tuesday -> Wednesday
    (london(2026, 5, 1, 12, 0), eod(2026, 5, 5)),    # Friday before early May bank holiday -> Tuesday
    (london(2026, 5, 22, 12, 0), eod(2026, 5, 26)),  # Friday before late May bank holiday -> Tuesday
    (london(2026, 8, 28, 12, 0), eod(2026, 9, 1)),   # Friday before late August bank holiday -> Tuesday
    (london(2026, 12, 24, 12, 0), eod(2026, 12, 29)),  # Christmas Eve -> Tuesday 29 (28th in lieu)
    (london(2026, 12, 25, 12, 0), eod(2026, 12, 30)),  # Christmas Day counts from the 29th -> 30th
    (london(2026, 12, 26, 12, 0), eod(2026, 12, 30)),  # Boxing Day (Saturday) likewise
    (london(2026, 12, 31, 12, 0), eod(2027, 1, 4)),    # New Year's Eve -> Monday 4 January
    (london(2027, 12, 24, 12, 0), eod(2027, 12, 29)),  # Christmas 2027: Monday 27, Tuesday 28 in lieu
    (london(2026, 3, 27, 12, 0), eod(2026, 3, 30)),    # Friday GMT -> Monday BST (22:59:59 UTC)
    (london(2026, 10, 23, 12, 0), eod(2026, 10, 26)),  # Friday BST -> Monday GMT (23:59:59 UTC)
])
def test_key_event_deadline_enhanced(event_at, due):
    assert key_event_deadline(event_at) == due
    assert key_event_deadline(event_at, enhanced=True) == due


def test_key_event_deadline_clock_change_offsets_are_right():
    assert key_event_deadline(london(2026, 3, 27, 12, 0)) == datetime(2026, 3, 30, 22, 59, 59, tzinfo=UTC)
    assert key_event_deadline(london(2026, 10, 23, 12, 0)) == datetime(2026, 10, 26, 23, 59, 59, tzinfo=UTC)


def test_key_event_deadline_uses_the_london_date_not_the_utc_date():
    # 23:30 UTC on Tuesday 2 June 2026 is 00:30 BST on Wednesday 3 June: the event is Wednesday's.
    assert key_event_deadline(datetime(2026, 6, 2, 23, 30, tzinfo=UTC)) == eod(2026, 6, 4)
    # 23:30 UTC on Tuesday 1 December 2026 is 23:30 GMT, still Tuesday.
    assert key_event_deadline(datetime(2026, 12, 1, 23, 30, tzinfo=UTC)) == eod(2026, 12, 2)


@pytest.mark.parametrize(("event_at", "due"), [
    (london(2026, 6, 1, 10, 0), eod(2026, 6, 8)),      # Monday -> next Monday
    (london(2026, 6, 6, 10, 0), eod(2026, 6, 15)),     # Saturday counts from Monday 8 -> Monday 15
    (london(2026, 4, 2, 10, 0), eod(2026, 4, 13)),     # over Easter: 7, 8, 9, 10, 13 April
    (london(2026, 12, 24, 10, 0), eod(2027, 1, 5)),    # over Christmas: 29, 30, 31 Dec, 4, 5 Jan
    (london(2026, 8, 27, 10, 0), eod(2026, 9, 4)),     # over late August: 28 Aug, 1, 2, 3, 4 Sep
])
def test_key_event_deadline_standard(event_at, due):
    assert key_event_deadline(event_at, enhanced=False) == due


def test_key_event_deadline_policy_values():
    assert (ENHANCED_WORKING_DAYS, STANDARD_WORKING_DAYS) == (1, 5)


@pytest.mark.parametrize("rule", [
    key_event_deadline, court_bail_target, court_bail_deadline, dvpo_hearing_deadline,
    spo_notification_deadline, clares_law_decision_deadline,
])
def test_naive_datetimes_are_refused(rule):
    with pytest.raises(ValueError, match="timezone-aware"):
        rule(datetime(2026, 6, 2, 10, 0))


aware_moments = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31),
    timezones=st.sampled_from([UTC, LONDON]), allow_imaginary=False,
)


@given(event_at=aware_moments, enhanced=st.booleans())
def test_key_event_deadline_properties(event_at, enhanced):
    n = ENHANCED_WORKING_DAYS if enhanced else STANDARD_WORKING_DAYS
    due = key_event_deadline(event_at, enhanced=enhanced)
    assert due > event_at
    assert due.tzinfo is UTC
    local = due.astimezone(LONDON)
    assert local.time() == time(23, 59, 59)
    assert is_working_day(local.date())
    event_day = event_at.astimezone(LONDON).date()
    between = working_days_between(event_day, local.date())
    if is_working_day(event_day):
        assert between == n  # exactly N working days after the event's date, the last being the due day
    else:
        assert between == n + 1  # the count starts from the next working day, which is not itself counted


# --- Victims' Code: court bail ---------------------------------------------------------------------


@pytest.mark.parametrize(("decided_at", "target", "deadline"), [
    (london(2026, 6, 1, 15, 0), eod(2026, 6, 1), eod(2026, 6, 2)),      # Monday: Monday, at worst Tuesday
    (london(2026, 6, 5, 16, 0), eod(2026, 6, 5), eod(2026, 6, 8)),      # Friday: Friday, at worst Monday
    (london(2026, 6, 6, 11, 0), eod(2026, 6, 8), eod(2026, 6, 9)),      # Saturday court: Monday, Tuesday
    (london(2026, 4, 2, 15, 0), eod(2026, 4, 2), eod(2026, 4, 7)),      # Thursday before Easter
    (london(2026, 5, 1, 15, 0), eod(2026, 5, 1), eod(2026, 5, 5)),      # before early May bank holiday
    (london(2026, 12, 24, 11, 0), eod(2026, 12, 24), eod(2026, 12, 29)),  # Christmas Eve
    (london(2026, 12, 26, 10, 0), eod(2026, 12, 29), eod(2026, 12, 30)),  # Boxing Day (Saturday) court
])
def test_court_bail_target_and_deadline(decided_at, target, deadline):
    assert court_bail_target(decided_at) == target
    assert court_bail_deadline(decided_at) == deadline
    assert court_bail_target(decided_at) < court_bail_deadline(decided_at)


# --- DVPN -> DVPO hearing --------------------------------------------------------------------------


def test_dvpn_served_saturday_morning_is_heard_by_tuesday_morning():
    # Saturday 6 June 2026 10:00: 14 hours of Saturday count, Sunday does not, Monday gives 24 (38 so far),
    # and the last 10 run out at 10:00 on Tuesday 9 June.
    assert dvpo_hearing_deadline(london(2026, 6, 6, 10, 0)) == london(2026, 6, 9, 10, 0)


def test_dvpn_served_friday_before_a_bank_holiday_monday():
    # Friday 28 August 2026 10:00: Friday 14, Saturday 24 (38), Sunday and Monday 31 August (late
    # August bank holiday) skipped, Tuesday 10: due Tuesday 1 September 10:00.
    assert dvpo_hearing_deadline(london(2026, 8, 28, 10, 0)) == london(2026, 9, 1, 10, 0)
    # The same over the early May bank holiday (Monday 4 May 2026).
    assert dvpo_hearing_deadline(london(2026, 5, 1, 10, 0)) == london(2026, 5, 5, 10, 0)


@pytest.mark.parametrize(("served_at", "due"), [
    # An ordinary weekday: exactly 48 hours.
    (london(2026, 6, 2, 10, 0), london(2026, 6, 4, 10, 0)),
    # Thursday: Thursday 14, Friday 24, and Saturday counts (courts sit): Saturday 10:00.
    (london(2026, 6, 4, 10, 0), london(2026, 6, 6, 10, 0)),
    # Friday: Friday 14, Saturday 24, Sunday skipped, Monday 10.
    (london(2026, 6, 5, 10, 0), london(2026, 6, 8, 10, 0)),
    # Served on a Sunday: the clock starts at Monday 00:00, 48 hours run to Wednesday 00:00.
    (london(2026, 6, 7, 15, 0), london(2026, 6, 10, 0, 0)),
    # Served at Friday 00:00: Friday and Saturday are the 48 hours; they end at the midnight Sunday begins.
    (london(2026, 6, 5, 0, 0), london(2026, 6, 7, 0, 0)),
    # Saturday before the late May bank holiday: Saturday 14, Sunday and Monday skipped, Tuesday 24, Wed 10.
    (london(2026, 5, 23, 10, 0), london(2026, 5, 27, 10, 0)),
    # Thursday before Easter: Thursday 14, Good Friday skipped, Saturday 24, Sunday and Easter Monday
    # skipped, Tuesday 10.
    (london(2026, 4, 2, 10, 0), london(2026, 4, 7, 10, 0)),
    # Christmas Eve 2026 (Thursday): Thursday 14, then Christmas Day, Boxing Day (Saturday, itself a bank
    # holiday), Sunday and Monday 28 (in lieu) skipped, Tuesday 24 (38), Wednesday 10.
    (london(2026, 12, 24, 10, 0), london(2026, 12, 30, 10, 0)),
    # Christmas Eve 2027 (Friday): Friday 14, Saturday 25 (Christmas Day), Sunday 26, Monday 27 and
    # Tuesday 28 (both in lieu) skipped, Wednesday 24 (38), Thursday 10.
    (london(2027, 12, 24, 10, 0), london(2027, 12, 30, 10, 0)),
    # Into British Summer Time: Saturday 28 March 2026 10:00 GMT, Sunday 29 (clocks go forward) skipped,
    # Monday 24, Tuesday 10:00 BST, which is 09:00 UTC.
    (london(2026, 3, 28, 10, 0), datetime(2026, 3, 31, 9, 0, tzinfo=UTC)),
    # Back to GMT: Saturday 24 October 2026 10:00 BST, Sunday 25 skipped, Tuesday 27 10:00 GMT = 10:00 UTC.
    (london(2026, 10, 24, 10, 0), datetime(2026, 10, 27, 10, 0, tzinfo=UTC)),
])
def test_dvpo_hearing_deadline(served_at, due):
    got = dvpo_hearing_deadline(served_at)
    assert got == due
    assert got.tzinfo is UTC


@pytest.mark.parametrize(("day", "excluded"), [
    (date(2026, 6, 6), False),   # Saturday counts
    (date(2026, 6, 7), True),    # Sunday
    (date(2026, 4, 3), True),    # Good Friday
    (date(2026, 12, 25), True),  # Christmas Day
    (date(2026, 12, 26), True),  # Boxing Day on a Saturday
    (date(2026, 12, 28), True),  # in lieu
    (date(2026, 6, 8), False),
])
def test_dvpo_excluded_days(day, excluded):
    assert is_dvpo_excluded_day(day) is excluded


def counted_time(start: datetime, end: datetime) -> timedelta:
    """Time between `start` and `end` on London dates that are not excluded, one hour-or-less step at a time."""
    total, t = timedelta(0), start.astimezone(UTC)
    end = end.astimezone(UTC)
    while t < end:
        step = min(timedelta(hours=1) - timedelta(minutes=t.minute, seconds=t.second,
                                                  microseconds=t.microsecond), end - t)
        if not is_dvpo_excluded_day(t.astimezone(LONDON).date()):
            total += step
        t += step
    return total


@given(served_at=aware_moments)
def test_dvpo_hearing_deadline_counts_exactly_48_hours(served_at):
    due = dvpo_hearing_deadline(served_at)
    assert due >= served_at + timedelta(hours=DVPO_HEARING_HOURS)
    assert counted_time(served_at, due) == timedelta(hours=DVPO_HEARING_HOURS)


# --- DVPO duration ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "last_day"), [
    (14, date(2026, 6, 14)),
    (21, date(2026, 6, 21)),
    (28, date(2026, 6, 28)),
])
def test_dvpo_end_counts_the_day_it_is_made(days, last_day):
    assert dvpo_end(date(2026, 6, 1), days) == last_day


def test_dvpo_end_crosses_months_and_years():
    assert dvpo_end(date(2026, 12, 20), 14) == date(2027, 1, 2)
    assert dvpo_end(date(2028, 2, 15), 28) == date(2028, 3, 13)  # 2028 is a leap year


@pytest.mark.parametrize("days", [13, 29, 0, -14, 365])
def test_dvpo_end_refuses_lengths_outside_14_to_28_days(days):
    with pytest.raises(ValueError, match=rf"a DVPO lasts from 14 to 28 days, not {days}"):
        dvpo_end(date(2026, 6, 1), days)


@pytest.mark.parametrize("days", [14.0, "14", True, None])
def test_dvpo_end_refuses_non_integers(days):
    with pytest.raises(TypeError):
        dvpo_end(date(2026, 6, 1), days)


# --- Stalking protection orders --------------------------------------------------------------------


@pytest.mark.parametrize(("served_at", "due"), [
    (london(2026, 6, 2, 15, 0), eod(2026, 6, 4)),     # Tuesday (day 1) -> end of Thursday (day 3)
    (london(2026, 6, 2, 23, 59), eod(2026, 6, 4)),    # late service still makes the Tuesday day 1
    (datetime(2026, 6, 2, 23, 30, tzinfo=UTC), eod(2026, 6, 5)),  # 00:30 BST Wednesday
    (london(2026, 6, 5, 10, 0), eod(2026, 6, 7)),     # calendar days: Friday -> Sunday
    (london(2026, 12, 24, 10, 0), eod(2026, 12, 26)),  # bank holidays count too
    (london(2026, 3, 27, 10, 0), datetime(2026, 3, 29, 22, 59, 59, tzinfo=UTC)),  # clocks go forward
    (london(2026, 10, 23, 10, 0), datetime(2026, 10, 25, 23, 59, 59, tzinfo=UTC)),  # clocks go back
])
def test_spo_notification_deadline(served_at, due):
    assert spo_notification_deadline(served_at) == due


@pytest.mark.parametrize(("start", "end", "valid"), [
    (date(2026, 1, 10), date(2028, 1, 9), True),    # exactly 2 years beginning with 10 January 2026
    (date(2026, 1, 10), date(2028, 1, 10), True),
    (date(2026, 1, 10), date(2031, 1, 1), True),
    (date(2026, 1, 10), date(2028, 1, 8), False),   # a day short
    (date(2026, 1, 10), date(2027, 1, 10), False),
    (date(2026, 1, 10), date(2025, 1, 10), False),  # ends before it starts
    (date(2028, 2, 29), date(2030, 2, 28), True),   # leap day: 2 years end with 28 February 2030
    (date(2028, 2, 29), date(2030, 2, 27), False),
    (date(2026, 1, 10), None, True),                # until a further order
])
def test_spo_valid_duration(start, end, valid):
    assert spo_valid_duration(start, end) is valid


# --- Order expiry alerts ---------------------------------------------------------------------------


@pytest.mark.parametrize(("today", "alerts"), [
    (date(2026, 7, 1), [date(2026, 7, 17), date(2026, 7, 24), date(2026, 7, 30)]),
    (date(2026, 7, 17), [date(2026, 7, 17), date(2026, 7, 24), date(2026, 7, 30)]),  # today counts
    (date(2026, 7, 18), [date(2026, 7, 24), date(2026, 7, 30)]),
    (date(2026, 7, 30), [date(2026, 7, 30)]),
    (date(2026, 7, 31), []),   # the last day itself: no default alert is left
    (date(2026, 8, 15), []),   # already ended
])
def test_expiry_alerts_defaults(today, alerts):
    assert expiry_alerts(date(2026, 7, 31), today=today) == alerts


def test_expiry_alerts_custom_notice_days_sorted_and_merged():
    ends = date(2026, 7, 31)
    assert expiry_alerts(ends, today=date(2026, 7, 1), notice_days=[1, 28, 7, 7, 0]) == [
        date(2026, 7, 3), date(2026, 7, 24), date(2026, 7, 30), date(2026, 7, 31),
    ]
    assert expiry_alerts(ends, today=ends, notice_days=(0,)) == [ends]
    assert expiry_alerts(ends, today=date(2026, 7, 1), notice_days=()) == []


@pytest.mark.parametrize("bad", [-1, 1.5, True])
def test_expiry_alerts_refuse_bad_notice_days(bad):
    with pytest.raises(ValueError, match="notice days"):
        expiry_alerts(date(2026, 7, 31), today=date(2026, 7, 1), notice_days=(14, bad))


# --- Clare's Law -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("applied_at", "due"), [
    (london(2026, 6, 1, 10, 0), eod(2026, 6, 29)),
    (london(2026, 2, 1, 10, 0), datetime(2026, 3, 1, 23, 59, 59, tzinfo=UTC)),  # GMT
    (london(2026, 3, 1, 10, 0), datetime(2026, 3, 29, 22, 59, 59, tzinfo=UTC)),  # falls on the BST Sunday
    (london(2026, 12, 1, 10, 0), eod(2026, 12, 29)),  # calendar days: Christmas is not skipped
])
def test_clares_law_decision_deadline(applied_at, due):
    assert CLARES_LAW_DECISION_DAYS == 28
    assert clares_law_decision_deadline(applied_at) == due


def test_clares_law_missing_stage_values_are_flagged_not_invented():
    assert "TODO(policy)" in (clares_law_decision_deadline.__doc__ or "")
