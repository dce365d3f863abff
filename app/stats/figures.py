"""Reading the summary tables for the pages, the API and the CSV: a few rows per request, never
the bookings themselves. Every figure goes through `suppression.publish`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.centres.models import Centre
from app.stats.models import COUNTS, StatsClosureMonth, StatsMonth
from app.stats.rebuild import month_of, months_between
from app.stats.suppression import Published, publish


@dataclass(frozen=True)
class Period:
    first_month: date
    last_month: date

    @classmethod
    def of_days(cls, first_day: date, last_day: date) -> Period:
        return cls(month_of(first_day), month_of(last_day))

    @property
    def months(self) -> list[date]:
        return months_between(self.first_month, self.last_month)


@dataclass(frozen=True)
class Closures:
    days_closed: int
    reasons: list[str]


@dataclass(frozen=True)
class CentreFigures:
    centre: Centre
    figures: Published
    closures: Closures
    first_free_on: date | None


@dataclass(frozen=True)
class MonthFigures:
    month: date
    figures: Published
    closures: Closures


def cells(
    session: Session, centres: Sequence[Centre], period: Period, exam: str | None = None, category: str | None = None
) -> list[StatsMonth]:
    query = select(StatsMonth).where(
        StatsMonth.centre_id.in_([centre.id for centre in centres]),
        StatsMonth.month.between(period.first_month, period.last_month),
    )
    if exam:
        query = query.where(StatsMonth.exam_type == exam)
    if category:
        query = query.where(StatsMonth.category == category)
    return list(session.scalars(query.order_by(StatsMonth.centre_id, StatsMonth.month)))


def closures(session: Session, centres: Sequence[Centre], period: Period) -> dict[tuple[int, date], Closures]:
    query = select(StatsClosureMonth).where(
        StatsClosureMonth.centre_id.in_([centre.id for centre in centres]),
        StatsClosureMonth.month.between(period.first_month, period.last_month),
    )
    return {(row.centre_id, row.month): Closures(row.days_closed, row.reasons) for row in session.scalars(query)}


def first_free(
    session: Session, centres: Sequence[Centre], exam: str | None = None, category: str | None = None
) -> list[tuple[int, str, str, date]]:
    """(centre id, exam, category, first day with a free place) as the last rebuild found them."""
    query = select(StatsMonth.centre_id, StatsMonth.exam_type, StatsMonth.category, StatsMonth.first_free_on).where(
        StatsMonth.centre_id.in_([centre.id for centre in centres]), StatsMonth.first_free_on.is_not(None)
    )
    if exam:
        query = query.where(StatsMonth.exam_type == exam)
    if category:
        query = query.where(StatsMonth.category == category)
    return sorted(session.execute(query).tuples())


def _merge(found: list[Closures]) -> Closures:
    reasons = dict.fromkeys(reason for closure in found for reason in closure.reasons)
    return Closures(sum(closure.days_closed for closure in found), list(reasons))


def compare_centres(
    session: Session, centres: Sequence[Centre], period: Period, exam: str, category: str | None
) -> tuple[list[CentreFigures], Published]:
    """Each centre's figures over the period, and the city's (built from the shown cells only)."""
    rows = cells(session, centres, period, exam, category)
    by_centre: dict[int, list[StatsMonth]] = defaultdict(list)
    for row in rows:
        by_centre[row.centre_id].append(row)
    closed = closures(session, centres, period)
    free: dict[int, date] = {}
    for centre_id, _, _, day in first_free(session, centres, exam, category):
        free[centre_id] = min(day, free.get(centre_id, day))
    compared = [
        CentreFigures(
            centre,
            publish(by_centre[centre.id]),
            _merge([found for (centre_id, _), found in closed.items() if centre_id == centre.id]),
            free.get(centre.id),
        )
        for centre in centres
    ]
    return compared, publish(rows)


def centre_months(
    session: Session, centre: Centre, period: Period, exam: str, category: str | None
) -> tuple[list[MonthFigures], Published]:
    """The centre's figures month by month (latest first; months without exams, places or closures
    left out), and over the whole period."""
    rows = cells(session, [centre], period, exam, category)
    by_month: dict[date, list[StatsMonth]] = defaultdict(list)
    for row in rows:
        if any(getattr(row, name) for name in COUNTS):  # not just the first free place
            by_month[row.month].append(row)
    closed = closures(session, [centre], period)
    months = [
        MonthFigures(month, publish(by_month[month]), closed.get((centre.id, month), Closures(0, [])))
        for month in reversed(period.months)
        if month in by_month or (centre.id, month) in closed
    ]
    return months, publish(rows)
