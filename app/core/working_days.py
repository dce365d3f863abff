"""Working days in Kazakhstan: Monday to Friday, except public holidays (and the days off that
replace holidays falling on a weekend), as the `holidays` package knows them.

Pure calendar arithmetic over dates; booking retakes and appeal deadlines count with it.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import cache

import holidays


@cache
def _holidays_of(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("KZ", years=year)


def is_holiday(day: date) -> bool:
    return day in _holidays_of(day.year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def next_working_day(day: date) -> date:
    """The first working day strictly after `day`."""
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(day: date, count: int) -> date:
    """The date `count` working days after `day` (`day` itself not counted)."""
    for _ in range(count):
        day = next_working_day(day)
    return day


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day when it is shorter (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def working_days_between(start: date, end: date) -> int:
    """How many working days come after `start` up to and including `end` (negative when `end` is
    earlier: then the working days after `end` up to and including `start`)."""
    if end < start:
        return -working_days_between(end, start)
    return sum(1 for offset in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=offset)))
