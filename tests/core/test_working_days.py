"""Working days in Kazakhstan (weekends and public holidays) and month arithmetic."""

from datetime import date

import pytest

from app.core.working_days import (
    add_months,
    add_working_days,
    is_working_day,
    next_working_day,
    working_days_between,
)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 12, 1), True),  # Tuesday
        (date(2026, 12, 5), False),  # Saturday
        (date(2026, 12, 6), False),  # Sunday
        (date(2026, 12, 16), False),  # Independence Day
        (date(2027, 1, 1), False),  # New Year
        (date(2027, 1, 4), False),  # New Year's day off moved from Saturday
        (date(2027, 1, 7), False),  # Orthodox Christmas
        (date(2027, 3, 8), False),  # International Women's Day
        (date(2027, 3, 22), False),  # Nauryz
        (date(2027, 3, 24), False),  # Nauryz day off moved from Sunday
        (date(2027, 3, 25), True),
        (date(2027, 7, 6), False),  # Capital Day
        (date(2027, 10, 25), False),  # Republic Day
    ],
)
def test_is_working_day(day, working):
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 1), date(2026, 12, 2)),
        (date(2026, 12, 4), date(2026, 12, 7)),  # Friday -> Monday
        (date(2026, 12, 15), date(2026, 12, 17)),  # over Independence Day
        (date(2026, 12, 31), date(2027, 1, 5)),  # over New Year and its moved day off
        (date(2027, 3, 19), date(2027, 3, 25)),  # over Nauryz
    ],
)
def test_next_working_day(day, expected):
    assert next_working_day(day) == expected


@pytest.mark.parametrize(
    ("day", "count", "expected"),
    [
        (date(2026, 12, 1), 0, date(2026, 12, 1)),
        (date(2026, 12, 1), 3, date(2026, 12, 4)),
        (date(2026, 12, 10), 3, date(2026, 12, 15)),
        (date(2026, 12, 10), 15, date(2027, 1, 5)),
    ],
)
def test_add_working_days(day, count, expected):
    assert add_working_days(day, count) == expected


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 12, 3), 1, date(2027, 1, 3)),
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 11, 30), 2, date(2027, 1, 30)),
        (date(2026, 12, 31), 2, date(2027, 2, 28)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 12, 1), date(2026, 12, 1), 0),
        (date(2026, 12, 1), date(2026, 12, 4), 3),
        (date(2026, 12, 4), date(2026, 12, 7), 1),  # over a weekend
        (date(2026, 12, 15), date(2026, 12, 17), 1),  # over Independence Day
        (date(2026, 12, 31), date(2027, 1, 5), 1),  # over New Year's days off
        (date(2026, 12, 7), date(2026, 12, 4), -1),  # backwards
    ],
)
def test_working_days_between(start, end, expected):
    assert working_days_between(start, end) == expected


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2021, 12, 17), False),  # Independence Day was two days until 2022
        (date(2026, 12, 17), True),  # and is one day since
        (date(2026, 3, 24), False),  # Nauryz 2026: 21-23 March, with the weekend's days off moved
        (date(2026, 5, 27), False),  # Kurban ait 2026
        (date(2025, 6, 6), False),  # Kurban ait 2025: the date moves every year
        (date(2026, 6, 6), False),  # a Saturday
        (date(2026, 5, 11), False),  # Victory Day (Saturday 9 May) observed on Monday
    ],
)
def test_holidays_that_move_or_changed(day, working):
    assert is_working_day(day) is working
