"""Working days and school days in England and Wales (plain rules, no database)."""

from datetime import UTC, date, datetime

import pytest

from vigil.workdays import (
    LONDON,
    add_working_days,
    bank_holidays,
    is_school_day,
    is_working_day,
    next_school_day_start,
)


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def test_bank_holidays_include_easter_late_may_and_substitute_days():
    days = bank_holidays([2021, 2026])
    assert {date(2026, 4, 3), date(2026, 4, 6)} <= days  # Good Friday, Easter Monday
    assert date(2026, 5, 25) in days  # spring (late May) bank holiday
    assert date(2026, 12, 28) in days  # Boxing Day falls on a Saturday: Monday instead
    assert {date(2021, 12, 27), date(2021, 12, 28)} <= days  # Christmas on Saturday, Boxing Day on Sunday
    assert date(2026, 3, 17) not in days  # St Patrick's Day is Northern Ireland's only
    assert date(2026, 11, 30) not in days  # St Andrew's Day is Scotland's only
    assert bank_holidays(2026) == {d for d in days if d.year == 2026}


@pytest.mark.parametrize(("day", "working"), [
    (date(2026, 6, 5), True),     # a Friday
    (date(2026, 6, 6), False),    # Saturday
    (date(2026, 6, 7), False),    # Sunday
    (date(2026, 4, 3), False),    # Good Friday
    (date(2026, 4, 6), False),    # Easter Monday
    (date(2026, 5, 25), False),   # late May bank holiday
    (date(2026, 12, 28), False),  # Boxing Day substitute
    (date(2026, 12, 29), True),
])
def test_is_working_day(day, working):
    assert is_working_day(day) is working


def test_add_working_days_skips_weekends_and_bank_holidays():
    assert add_working_days(date(2026, 6, 5), 1) == date(2026, 6, 8)  # Friday + 1 = Monday
    assert add_working_days(date(2026, 6, 6), 1) == date(2026, 6, 8)  # Saturday + 1 = Monday
    assert add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)  # Thursday before Easter: Tuesday
    assert add_working_days(date(2026, 5, 22), 1) == date(2026, 5, 26)  # Friday before late May
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)  # Christmas, weekend, Boxing Day (sub)
    assert add_working_days(date(2026, 6, 1), 5) == date(2026, 6, 8)
    assert add_working_days(date(2026, 6, 6), 0) == date(2026, 6, 6)
    assert add_working_days(date(2026, 4, 7), -1) == date(2026, 4, 2)


def test_a_friday_evening_incident_is_due_by_monday_0830():
    due = next_school_day_start(london(2026, 6, 5, 21, 40))
    assert due == london(2026, 6, 8, 8, 30) and due.tzinfo == UTC
    assert due == datetime(2026, 6, 8, 7, 30, tzinfo=UTC)  # British Summer Time


def test_weekend_incidents_are_due_by_monday_0830():
    assert next_school_day_start(london(2026, 6, 6, 3, 0)) == london(2026, 6, 8, 8, 30)
    assert next_school_day_start(london(2026, 6, 7, 23, 59)) == london(2026, 6, 8, 8, 30)


def test_before_a_bank_holiday_monday_it_is_due_on_tuesday():
    assert next_school_day_start(london(2026, 5, 22, 19, 0)) == london(2026, 5, 26, 8, 30)
    assert next_school_day_start(london(2026, 5, 25, 7, 0)) == london(2026, 5, 26, 8, 30)  # on the holiday itself


def test_easter_and_christmas():
    assert next_school_day_start(london(2026, 4, 2, 18, 0)) == london(2026, 4, 7, 8, 30)
    assert next_school_day_start(london(2026, 12, 24, 22, 0)) == london(2026, 12, 29, 8, 30)
    # Winter time: 08:30 London is 08:30 UTC.
    assert next_school_day_start(london(2026, 12, 24, 22, 0)) == datetime(2026, 12, 29, 8, 30, tzinfo=UTC)


def test_a_weekday_evening_is_due_the_next_morning_and_an_early_morning_the_same_morning():
    assert next_school_day_start(london(2026, 6, 9, 8, 30)) == london(2026, 6, 10, 8, 30)  # at 08:30: tomorrow
    assert next_school_day_start(london(2026, 6, 9, 14, 0)) == london(2026, 6, 10, 8, 30)
    # 02:00 on a Tuesday: the child goes to school that morning, so the school must know by 08:30 today.
    assert next_school_day_start(london(2026, 6, 9, 2, 0)) == london(2026, 6, 9, 8, 30)


def test_the_london_date_decides_not_the_utc_date():
    # 23:30 UTC on Sunday 7 June is 00:30 on Monday in London (BST): due 08:30 that Monday.
    assert next_school_day_start(datetime(2026, 6, 7, 23, 30, tzinfo=UTC)) == london(2026, 6, 8, 8, 30)


def test_school_holidays_are_skipped():
    half_term = [(date(2026, 5, 26), date(2026, 5, 29))]
    assert next_school_day_start(london(2026, 5, 22, 19, 0), term_breaks=half_term) == london(2026, 6, 1, 8, 30)
    summer = [(date(2026, 7, 22), date(2026, 9, 2))]
    assert next_school_day_start(london(2026, 7, 21, 16, 0), term_breaks=summer) == london(2026, 9, 3, 8, 30)
    assert not is_school_day(date(2026, 5, 27), term_breaks=half_term)
    assert is_school_day(date(2026, 6, 1), term_breaks=half_term)


def test_naive_times_and_backwards_breaks_are_refused():
    with pytest.raises(ValueError):
        next_school_day_start(datetime(2026, 6, 5, 21, 0))
    with pytest.raises(ValueError):
        next_school_day_start(london(2026, 6, 5, 21, 0), term_breaks=[(date(2026, 6, 10), date(2026, 6, 1))])
