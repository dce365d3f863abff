"""Numbers and dates on (staff and admin) pages in the reader's language: decimal commas in ru and kk,
dates as dd.mm.yyyy there (CLDR's numeric skeleton, so en reads 12/1/2026), 24-hour times, a week as
the days it covers rather than an ISO week number. Registered as template filters for every page."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from flask import Flask, current_app
from flask_babel import format_decimal, format_percent, get_locale


def numeric_date(day: date) -> str:
    return format_skeleton("yMMdd", day, locale=get_locale())


def short_day(day: date) -> str:
    """Day and month only (chart labels): 01.12 in ru/kk, 12/1 in en."""
    return format_skeleton("MMdd", day, locale=get_locale())


def numeric_datetime(moment: datetime, zone: str | None = None) -> str:
    """01.12.2026 14:05 in the zone given (the centre's; else the site's), on the 24-hour clock."""
    local = moment.astimezone(ZoneInfo(zone or current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    return f"{numeric_date(local.date())} {format_skeleton('Hm', local, locale=get_locale())}"


def day_range(first: date | None, last: date | None) -> str:
    if first is None or last is None:
        return ""
    return numeric_date(first) if first == last else f"{numeric_date(first)}–{numeric_date(last)}"


def decimal(value: float | None) -> str:
    return "—" if value is None else format_decimal(value, format="#,##0.#")


def decimal2(value: float | None) -> str:
    """Two decimals (item statistics' indices): 0,25 in ru/kk."""
    return "—" if value is None else format_decimal(value, format="0.00")


def percent(value: float | None) -> str:
    return "—" if value is None else format_percent(value)


def register(app: Flask) -> None:
    for name, function in {
        "numeric_date": numeric_date,
        "short_day": short_day,
        "numeric_datetime": numeric_datetime,
        "day_range": day_range,
        "decimal": decimal,
        "decimal2": decimal2,
        "percent": percent,
    }.items():
        app.add_template_filter(function, name)
