"""Recompute the summary tables from bookings, results, slots and closures.

Each figure is one grouped SELECT over the big tables (set-based, the same SQL on SQLite and
PostgreSQL): slots are put in the month of their start in the centre's own time zone by joining a
small table of month bounds (UTC instants), so no time-zone arithmetic runs in the database. Only
closures and blocked times (a handful of rows) are spread over their days in Python.

The rebuild replaces every row in one transaction after taking a lock (a PostgreSQL advisory
lock; on SQLite the transaction holds the write lock from BEGIN), so two rebuilds at once run one
after the other and leave the same rows: the nightly job and `flask stats rebuild` may overlap.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Date,
    Integer,
    and_,
    case,
    cast,
    delete,
    exists,
    extract,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    text,
    true,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from app.booking.models import Booking, BookingStatus, Slot
from app.centres.models import Centre
from app.core.types import UTCDateTime
from app.staff.models import CentreClosure
from app.stats.models import COUNTS, StatsClosureMonth, StatsMonth

S = BookingStatus
# A booking that took a place at its exam (held, expired and cancelled ones never did).
ROSTER = (S.CONFIRMED, S.ATTENDED, S.REFUSED, S.NO_SHOW, S.PASSED, S.FAILED)
SAT = (S.ATTENDED, S.PASSED, S.FAILED)
RESULTS = (S.PASSED, S.FAILED)
EXPECTED = (S.ATTENDED, S.REFUSED, S.NO_SHOW, S.PASSED, S.FAILED)
# SQLite limits a compound SELECT to 500 parts: month bounds go in batches well below that.
MONTHS_PER_BATCH = 200
LOCK_KEY = zlib.crc32(b"kezek-stats-rebuild")

Cell = tuple[int, str, str, date]  # centre id, exam type, category, month


@dataclass(frozen=True)
class Summary:
    cells: int
    closure_months: int


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def months_between(first: date, last: date) -> list[date]:
    months, month = [], month_of(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def _bound(month: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(month, time.min, zone)


def _batches(items: list, size: int) -> Iterable[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _months_table(months: list[date], zone: ZoneInfo):
    """The months with the UTC instants where each begins and ends in `zone` (a CTE of literals)."""
    parts = [
        select(
            literal(month, Date).label("month"),
            literal(_bound(month, zone), UTCDateTime()).label("starts"),
            literal(_bound(next_month(month), zone), UTCDateTime()).label("ends"),
        )
        for month in months
    ]
    return (parts[0] if len(parts) == 1 else union_all(*parts)).cte("months")


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def whole_days(session: Session, later, earlier):
    """Whole days from `earlier` to `later` (truncated), in the session's dialect."""
    day = literal_column("86400")  # a literal, not a parameter: the expression is grouped by
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.floor(extract("epoch", later - earlier) / day), Integer)
    seconds = literal_column("'%s'")
    return (cast(func.strftime(seconds, later), Integer) - cast(func.strftime(seconds, earlier), Integer)) // day


def _is_first_attempt():
    """No result of the same person, exam and category at an earlier exam (or earlier booked)."""
    earlier, earlier_slot = aliased(Booking), aliased(Slot)
    return ~exists().where(
        earlier.user_id == Booking.user_id,
        earlier.exam_type == Booking.exam_type,
        earlier.category == Booking.category,
        earlier.status.in_(RESULTS),
        earlier_slot.id == earlier.slot_id,
        or_(
            earlier_slot.starts_at < Slot.starts_at,
            and_(earlier_slot.starts_at == Slot.starts_at, earlier.id < Booking.id),
        ),
    )


def _cell_counts(session: Session, months, centre_ids: list[int], now: datetime) -> dict[Cell, dict]:
    """The counts of every cell, over the exams that have begun by `now`."""
    cell = (Slot.centre_id, Slot.exam_type, Slot.category, months.c.month)
    in_month = and_(Slot.starts_at >= months.c.starts, Slot.starts_at < months.c.ends, Slot.starts_at <= now)
    found: dict[Cell, dict] = defaultdict(dict)
    slots = (
        select(
            *cell,
            func.coalesce(func.sum(case((Slot.blocked_at.is_(None), Slot.capacity), else_=0)), 0),
            _count_if(Slot.blocked_at.is_not(None)),
        )
        .join(months, in_month)
        .where(Slot.centre_id.in_(centre_ids))
        .group_by(*cell)
    )
    for *key, offered, blocked in session.execute(slots):
        found[tuple(key)].update(offered=offered, slots_blocked=blocked)
    status = Booking.status
    bookings = (
        select(
            *cell,
            _count_if(status.in_(ROSTER) & Slot.blocked_at.is_(None)),
            _count_if((status == S.CANCELLED) & (Booking.rebook_priority == true())),
            _count_if(status.in_(SAT)),
            _count_if(status.in_(RESULTS)),
            _count_if(status == S.PASSED),
            _count_if(status.in_(RESULTS) & _is_first_attempt()),
            _count_if((status == S.PASSED) & _is_first_attempt()),
            _count_if(status.in_(EXPECTED)),
            _count_if(status == S.NO_SHOW),
            _count_if(status.in_(ROSTER)),
        )
        .select_from(Slot)
        .join(months, in_month)
        .join(Booking, Booking.slot_id == Slot.id)
        .where(Slot.centre_id.in_(centre_ids))
        .group_by(*cell)
    )
    names = ("booked", "cancelled_by_centre", "sat", "results", "passed", "first_results", "first_passed")
    names += ("expected", "no_shows", "waited")
    for row in session.execute(bookings):
        found[tuple(row[:4])].update(zip(names, row[4:], strict=True))
    days = whole_days(session, Slot.starts_at, Booking.created_at).label("days")
    waits = (
        select(*cell, days, func.count())
        .select_from(Slot)
        .join(months, in_month)
        .join(Booking, Booking.slot_id == Slot.id)
        .where(Slot.centre_id.in_(centre_ids), status.in_(ROSTER))
        .group_by(*cell, days)
    )
    for *key, waited_days, people in session.execute(waits):
        histogram = found[tuple(key)].setdefault("wait_histogram", {})
        histogram[str(int(waited_days))] = histogram.get(str(int(waited_days)), 0) + people
    return found


def _first_free(session: Session, centres: dict[int, Centre], now: datetime, earliest: datetime) -> dict[Cell, date]:
    """The day of the first free, bookable place of every centre, exam and category, on the rows of
    the centre's current month."""
    query = (
        select(Slot.centre_id, Slot.exam_type, Slot.category, func.min(Slot.starts_at))
        .where(Slot.starts_at >= earliest, Slot.blocked_at.is_(None), Slot.booked < Slot.capacity)
        .group_by(Slot.centre_id, Slot.exam_type, Slot.category)
    )
    found = {}
    for centre_id, exam_type, category, starts_at in session.execute(query):
        centre = centres[centre_id]
        found[(centre_id, exam_type, category, month_of(centre.local(now).date()))] = centre.local(starts_at).date()
    return found


def _closures(session: Session, centres: dict[int, Centre], now: datetime) -> dict[tuple[int, date], tuple]:
    """(centre, month) -> (days closed or with a blocked time, the reasons given), up to this month."""
    days: dict[tuple[int, date], set[date]] = defaultdict(set)
    reasons: dict[tuple[int, date], dict[str, None]] = defaultdict(dict)

    def mark(centre_id: int, day: date, reason: str | None) -> None:
        if day <= centres[centre_id].local(now).date():
            days[(centre_id, month_of(day))].add(day)
            if reason:
                reasons[(centre_id, month_of(day))][reason] = None

    closures = select(CentreClosure.centre_id, CentreClosure.first_day, CentreClosure.last_day, CentreClosure.reason)
    for centre_id, first_day, last_day, reason in session.execute(closures):
        last_day = min(last_day, centres[centre_id].local(now).date())
        for offset in range((last_day - first_day).days + 1):
            mark(centre_id, first_day + timedelta(days=offset), reason)
    blocked = select(Slot.centre_id, Slot.starts_at, Slot.blocked_reason).where(Slot.blocked_at.is_not(None))
    for centre_id, starts_at, reason in session.execute(blocked):
        mark(centre_id, centres[centre_id].local(starts_at).date(), reason)
    return {key: (len(found), list(reasons[key])) for key, found in days.items()}


def _serialise(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def compute(session: Session, now: datetime, earliest_bookable: datetime | None = None) -> dict[Cell, dict]:
    """Every cell's counts, from each centre's first slot to its current month."""
    centres = {centre.id: centre for centre in session.scalars(select(Centre))}
    first_starts = dict(
        session.execute(select(Slot.centre_id, func.min(Slot.starts_at)).group_by(Slot.centre_id)).tuples().all()
    )
    by_zone: dict[str, dict[int, list[date]]] = defaultdict(dict)
    for centre_id, first_start in first_starts.items():
        centre = centres[centre_id]
        by_zone[centre.timezone][centre_id] = months_between(centre.local(first_start).date(), centre.local(now).date())
    cells: dict[Cell, dict] = defaultdict(dict)
    for zone, months_by_centre in by_zone.items():
        months = sorted({month for months in months_by_centre.values() for month in months})
        for batch in _batches(months, MONTHS_PER_BATCH):
            found = _cell_counts(session, _months_table(batch, ZoneInfo(zone)), list(months_by_centre), now)
            for key, counts in found.items():
                cells[key].update(counts)
    for key, day in _first_free(session, centres, now, earliest_bookable or now).items():
        cells[key]["first_free_on"] = day
    return cells


def rebuild(session: Session, now: datetime, earliest_bookable: datetime | None = None) -> Summary:
    """Replace the summary tables with figures computed now (the caller commits)."""
    _serialise(session)
    cells = compute(session, now, earliest_bookable)
    centres = {centre.id: centre for centre in session.scalars(select(Centre))}
    closures = _closures(session, centres, now)
    session.execute(delete(StatsMonth))
    session.execute(delete(StatsClosureMonth))
    rows = [
        {
            "centre_id": centre_id,
            "exam_type": exam_type,
            "category": category,
            "month": month,
            **{name: counts.get(name, 0) for name in COUNTS},
            "wait_histogram": counts.get("wait_histogram", {}),
            "first_free_on": counts.get("first_free_on"),
            "built_at": now,
        }
        for (centre_id, exam_type, category, month), counts in sorted(cells.items())
    ]
    if rows:
        session.execute(insert(StatsMonth), rows)
    closure_rows = [
        {"centre_id": centre_id, "month": month, "days_closed": days, "reasons": reasons, "built_at": now}
        for (centre_id, month), (days, reasons) in sorted(closures.items())
    ]
    if closure_rows:
        session.execute(insert(StatsClosureMonth), closure_rows)
    return Summary(len(rows), len(closure_rows))


def rebuild_for_app(session: Session, now: datetime, config: Mapping) -> Summary:
    """`rebuild` with the app's booking cut-off: a place closer than it cannot be booked, so it is
    nobody's first free place."""
    return rebuild(session, now, now + timedelta(hours=config["BOOKING_CHANGE_CUTOFF_HOURS"]))
