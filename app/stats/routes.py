"""The public statistics pages (no sign-in): a city's centres compared, and one centre by month.
They read the summary rows only (a handful of statements), never the bookings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask import Blueprint, abort, render_template, request
from flask_babel import format_date, format_decimal, format_percent
from flask_babel import lazy_gettext as _l

from app.booking.models import LICENCE_CATEGORIES, ExamType
from app.centres.models import Centre
from app.centres.services import find_centre
from app.core.clock import utcnow
from app.core.ranges import parse_day, period
from app.extensions import db
from app.stats import charts, figures
from app.stats.rebuild import month_of
from app.stats.suppression import THRESHOLD

bp = Blueprint("stats", __name__, url_prefix="/stats")

TOO_FEW = _l("too few to show")
EXAM_LABELS = {ExamType.THEORY.value: _l("Theory exam"), ExamType.PRACTICAL.value: _l("Practical exam")}
MONTH = re.compile(r"^\d{4}-\d{2}$")
DEFAULT_MONTHS = 12


@dataclass(frozen=True)
class Filters:
    exam: str
    category: str | None
    first_day: date
    last_day: date

    @property
    def period(self) -> figures.Period:
        return figures.Period.of_days(self.first_day, self.last_day)

    def args(self, **changes) -> dict:
        values = {
            "exam": self.exam,
            "category": self.category or "",
            "from": f"{self.first_day:%Y-%m}",
            "to": f"{self.last_day:%Y-%m}",
        }
        return {**values, **changes}


def _day(name: str) -> date | None:
    """`YYYY-MM` (a month input's value: its first day) or `YYYY-MM-DD`; None when neither."""
    value = request.args.get(name, "")
    return parse_day(f"{value}-01" if MONTH.match(value) else value)


def _filters() -> Filters:
    exam = request.args.get("exam")
    category = request.args.get("category") or None
    today = utcnow().date()
    first_default = month_of(today)
    for _ in range(DEFAULT_MONTHS - 1):
        first_default = month_of(first_default - timedelta(days=1))
    first_day, last_day = period(_day("from"), _day("to"), default=(first_default, today))
    return Filters(
        exam if exam in EXAM_LABELS else ExamType.THEORY.value,
        category if category in LICENCE_CATEGORIES else None,
        first_day,
        last_day,
    )


def _cities() -> dict[str, list[Centre]]:
    """Centres by city (the English name is the key in addresses; the label is the reader's)."""
    grouped: dict[str, list[Centre]] = {}
    for centre in db.session.scalars(db.select(Centre).order_by(Centre.code)):
        grouped.setdefault(centre.city_en, []).append(centre)
    return dict(sorted(grouped.items(), key=lambda item: item[1][0].city))


@bp.app_template_filter("stat_percent")
def stat_percent(value: float | None) -> str:
    return str(TOO_FEW) if value is None else format_percent(value, "#,##0.0%")


@bp.app_template_filter("stat_number")
def stat_number(value: float | None) -> str:
    return str(TOO_FEW) if value is None else format_decimal(value)


@bp.app_template_filter("stat_month")
def stat_month(value: date) -> str:
    return format_date(value, "LLLL y")


@bp.app_template_filter("stat_day")
def stat_day(value: date | None) -> str:
    return "–" if value is None else format_date(value, "medium")


def _percent_chart(items):
    return charts.bar_chart([(label, value, stat_percent(value)) for label, value in items], maximum=1)


def _days_chart(items):
    return charts.bar_chart([(label, value, stat_number(value)) for label, value in items])


def _render(template: str, filters: Filters, **context) -> str:
    return render_template(
        template,
        filters=filters,
        exams=EXAM_LABELS,
        categories=LICENCE_CATEGORIES,
        threshold=THRESHOLD,
        too_few=TOO_FEW,
        **context,
    )


@bp.get("/")
def index():
    cities = _cities()
    filters = _filters()
    city = request.args.get("city")
    if city not in cities:
        city = next(iter(cities), None)
    centres = cities.get(city, [])
    compared, total = figures.compare_centres(db.session, centres, filters.period, filters.exam, filters.category)
    pass_items = [(row.centre.name, row.figures.pass_rate_all) for row in compared]
    wait_items = [(row.centre.name, row.figures.waiting_days_median) for row in compared]
    return _render(
        "stats/index.html",
        filters,
        cities=cities,
        city=city,
        compared=compared,
        total=total,
        pass_chart=_percent_chart(pass_items),
        wait_chart=_days_chart(wait_items),
    )


@bp.get("/centres/<code>")
def centre(code: str):
    found = find_centre(db.session, code)
    if found is None:
        abort(404)
    filters = _filters()
    months, total = figures.centre_months(db.session, found, filters.period, filters.exam, filters.category)
    shown = list(reversed(months))  # charts read left to right, oldest first
    return _render(
        "stats/centre.html",
        filters,
        centre=found,
        months=months,
        total=total,
        first_free=figures.first_free(db.session, [found]),
        pass_chart=_percent_chart([(stat_month(m.month), m.figures.pass_rate_all) for m in shown]),
        wait_chart=_days_chart([(stat_month(m.month), m.figures.waiting_days_median) for m in shown]),
    )
