"""Days, periods and page numbers taken from requests, checked in one place.

Python's dates end at year 9999 and PostgreSQL's integers at 2^63: a day near either end, or a page
number like 10^20, turns arithmetic (`day + timedelta(...)`, `OFFSET (page - 1) * n`) into an
OverflowError or a database error deep inside a view. Every route that takes a day, a period or a
page reads it through here, so a value no person would ask for is refused at the door with a 4xx.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, request
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError as SchemaValidationError
from wtforms.validators import ValidationError as FormValidationError

from app.core.clock import utcnow
from app.core.errors import DomainError

# Days further from today than this are nobody's exam, closure or report.
SUPPORTED_YEARS = 10
# The longest period a page, an export or the API covers at once.
MAX_PERIOD_DAYS = 366
# No list of the app comes near this many pages (it bounds the database's OFFSET).
MAX_PAGE = 10_000

OUT_OF_RANGE_MESSAGE = _l("This day is too far from today.")


class OutOfRange(DomainError):
    """A day outside the supported range, or a period longer than the longest allowed."""

    status = 400
    code = "out-of-range"


def check_schema_period(first: date | None, last: date | None, longest_days: int, field: str = "to") -> None:
    """For an API schema's `from`/`to` pair: a marshmallow ValidationError on `field` unless `last`
    is on or after `first` and at most `longest_days` days later (either missing: nothing to check)."""
    if first and last and not 0 <= (last - first).days <= longest_days:
        raise SchemaValidationError(f"`to` must be on or after `from`, at most {longest_days} days later.", field)


def supported_days() -> tuple[date, date]:
    """The first and the last day any request may name."""
    today = utcnow().date()
    return today - timedelta(days=365 * SUPPORTED_YEARS), today + timedelta(days=365 * SUPPORTED_YEARS)


def is_supported(day: date) -> bool:
    first, last = supported_days()
    return first <= day <= last


def check_day(day: date) -> date:
    """`day`, or OutOfRange (400) when it is outside the supported range."""
    if not is_supported(day):
        raise OutOfRange(OUT_OF_RANGE_MESSAGE)
    return day


def parse_day(value: str | None) -> date | None:
    """An ISO day (`YYYY-MM-DD`) as written, None when it is missing or not a day; OutOfRange when
    it is a day outside the supported range."""
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return None
    return check_day(day)


def day_arg(name: str, default: date) -> date:
    """The query's `?name=YYYY-MM-DD`, or `default` when it is missing or not a day."""
    day = parse_day(request.args.get(name))
    return default if day is None else day


def period(first: date | None, last: date | None, default: tuple[date, date]) -> tuple[date, date]:
    """A period from one, both or neither of its ends, each a supported day: `default` when none
    is given; a missing end (or a last day before the first) makes a period as long as the default
    one. Capped at MAX_PERIOD_DAYS however the ends were given."""
    for day in (first, last):
        if day is not None:
            check_day(day)
    if first is None and last is None:
        first, last = default
    span = timedelta(days=min((default[1] - default[0]).days, MAX_PERIOD_DAYS - 1))
    if first is None:
        first = last - span
    if last is None or last < first:
        last = first + span
    return first, min(last, first + timedelta(days=MAX_PERIOD_DAYS - 1))


def period_args(first_name: str, last_name: str, default: tuple[date, date]) -> tuple[date, date]:
    """`period` of the query's two day arguments (one that is not a day counts as missing)."""
    return period(parse_day(request.args.get(first_name)), parse_day(request.args.get(last_name)), default)


def page_arg(name: str = "page") -> int:
    """The query's page number (1 when missing or not a number); 404 beyond MAX_PAGE, a page no
    list has."""
    page = request.args.get(name, 1, type=int)
    if not 1 <= page <= MAX_PAGE:
        abort(404)
    return page


class SupportedDay:
    """WTForms validator: the day lies in the supported range (a form re-renders with the message)."""

    def __call__(self, form, field) -> None:
        if field.data is not None and not is_supported(field.data):
            raise FormValidationError(str(OUT_OF_RANGE_MESSAGE))


def validate_supported_day(day: date) -> None:
    """marshmallow validator for `fields.Date` of the API (422 with the field's message)."""
    if not is_supported(day):
        raise SchemaValidationError(str(OUT_OF_RANGE_MESSAGE))
