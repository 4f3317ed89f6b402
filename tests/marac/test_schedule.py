"""MARAC meeting dates and referral cut-offs (plain rules, no database)."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.marac.schedule import (
    MEETING_EVERY_DAYS,
    meeting_dates,
    meeting_for_referral,
    next_meeting,
    referral_cut_off,
)
from vigil.workdays import is_working_day

TUESDAY = date(2026, 1, 6)


def test_fortnightly_meetings_from_the_anchor():
    assert MEETING_EVERY_DAYS == 14
    assert meeting_dates(TUESDAY, 14, date(2026, 1, 1), date(2026, 2, 28)) == [
        date(2026, 1, 6),
        date(2026, 1, 20),
        date(2026, 2, 3),
        date(2026, 2, 17),
    ]


def test_the_anchor_sets_the_rhythm_not_the_first_meeting():
    assert meeting_dates(date(2026, 1, 20), 14, date(2026, 1, 1), date(2026, 1, 31)) == [
        date(2026, 1, 6),
        date(2026, 1, 20),
    ]


def test_the_interval_is_the_areas_own():
    assert meeting_dates(TUESDAY, 28, date(2026, 1, 1), date(2026, 3, 31)) == [
        date(2026, 1, 6),
        date(2026, 2, 3),
        date(2026, 3, 3),
        date(2026, 3, 31),
    ]


def test_the_ends_of_the_range_are_included():
    assert meeting_dates(TUESDAY, 14, date(2026, 1, 20), date(2026, 2, 3)) == [
        date(2026, 1, 20),
        date(2026, 2, 3),
    ]
    assert meeting_dates(TUESDAY, 14, date(2026, 1, 21), date(2026, 2, 2)) == []


def test_a_meeting_on_a_bank_holiday_moves_to_the_next_working_day_and_the_rhythm_is_kept():
    # Mondays from 23 March 2026: Easter Monday (6 April) and the early May bank holiday (4 May) move to
    # the Tuesday; the meetings after them stay on Mondays.
    assert meeting_dates(date(2026, 3, 23), 14, date(2026, 3, 20), date(2026, 5, 31)) == [
        date(2026, 3, 23),
        date(2026, 4, 7),
        date(2026, 4, 20),
        date(2026, 5, 5),
        date(2026, 5, 18),
    ]


def test_a_meeting_on_a_weekend_moves_to_the_monday():
    assert meeting_dates(date(2026, 6, 6), 14, date(2026, 6, 1), date(2026, 6, 30)) == [
        date(2026, 6, 8),
        date(2026, 6, 22),
    ]


def test_a_christmas_meeting_moves_past_the_weekend_and_the_substitute_boxing_day():
    # Friday 25 December 2026, then Saturday, Sunday, and Monday 28th (Boxing Day's substitute).
    assert meeting_dates(date(2026, 12, 25), 14, date(2026, 12, 20), date(2026, 12, 31)) == [
        date(2026, 12, 29)
    ]


def test_a_moved_meeting_is_found_from_its_moved_date():
    easter_monday = date(2026, 4, 6)
    assert meeting_dates(easter_monday, 14, date(2026, 4, 7), date(2026, 4, 7)) == [date(2026, 4, 7)]
    assert meeting_dates(easter_monday, 14, easter_monday, easter_monday) == []


def test_next_meeting_is_on_or_after_the_day():
    assert next_meeting(TUESDAY, 14, date(2026, 1, 6)) == date(2026, 1, 6)
    assert next_meeting(TUESDAY, 14, date(2026, 1, 7)) == date(2026, 1, 20)
    assert next_meeting(date(2026, 3, 23), 14, date(2026, 4, 6)) == date(2026, 4, 7)
    assert next_meeting(date(2026, 3, 23), 14, date(2026, 4, 8)) == date(2026, 4, 20)


@pytest.mark.parametrize("every_days", [0, 1, 6, -14])
def test_meetings_closer_than_a_week_are_refused(every_days):
    with pytest.raises(ValueError):
        meeting_dates(TUESDAY, every_days, date(2026, 1, 1), date(2026, 2, 1))
    with pytest.raises(ValueError):
        next_meeting(TUESDAY, every_days, date(2026, 1, 1))


def test_the_cut_off_is_five_working_days_before_by_default():
    assert referral_cut_off(date(2026, 1, 20)) == date(2026, 1, 13)  # Tuesday to Tuesday
    assert referral_cut_off(date(2026, 1, 20), working_days_before=2) == date(2026, 1, 16)  # the Friday
    assert referral_cut_off(date(2026, 1, 20), working_days_before=0) == date(2026, 1, 20)


def test_the_cut_off_skips_bank_holidays():
    # Tuesday 7 April 2026, after Easter: Easter Monday and Good Friday are not counted.
    assert referral_cut_off(date(2026, 4, 7)) == date(2026, 3, 27)
    # Tuesday 6 January 2026: New Year's Day is not counted.
    assert referral_cut_off(date(2026, 1, 6)) == date(2025, 12, 29)


def test_a_cut_off_after_the_meeting_is_refused():
    with pytest.raises(ValueError):
        referral_cut_off(date(2026, 1, 20), working_days_before=-1)


def test_a_referral_on_the_cut_off_day_is_in_time_and_the_day_after_waits():
    assert meeting_for_referral(date(2026, 1, 13), TUESDAY, 14) == date(2026, 1, 20)
    assert meeting_for_referral(date(2026, 1, 14), TUESDAY, 14) == date(2026, 2, 3)
    assert meeting_for_referral(date(2026, 1, 6), TUESDAY, 14) == date(2026, 1, 20)  # on a meeting day
    assert meeting_for_referral(date(2026, 1, 6), TUESDAY, 14, working_days_before=0) == date(2026, 1, 6)


anchors = st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31))
intervals = st.integers(min_value=7, max_value=42)


@settings(max_examples=150, deadline=None)
@given(anchor=anchors, every_days=intervals, start=anchors, length=st.integers(min_value=0, max_value=400))
def test_meetings_are_working_days_in_order_each_from_one_planned_date_spaced_by_the_interval(
    anchor, every_days, start, length
):
    end = start + timedelta(days=length)
    dates = meeting_dates(anchor, every_days, start, end)
    assert all(start <= d <= end and is_working_day(d) for d in dates)
    assert dates == sorted(set(dates))  # strictly increasing
    # Each meeting is its planned date moved forward by less than five days, and the planned dates are
    # consecutive steps of the interval: none skipped, none doubled.
    planned = [d - timedelta(days=(d - anchor).days % every_days) for d in dates]
    assert all(0 <= (d - p).days < 5 for d, p in zip(dates, planned, strict=True))
    assert all((b - a).days == every_days for a, b in zip(planned, planned[1:], strict=False))
    # Nothing is missed at either end of the range.
    first_on_or_after_start = next_meeting(anchor, every_days, start)
    if dates:
        assert first_on_or_after_start == dates[0]
        assert next_meeting(anchor, every_days, dates[-1] + timedelta(days=1)) > end
    else:
        assert first_on_or_after_start > end
