"""What oversight reads: a period's figures and bookings of one centre or all."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ScalarResult, func, select
from sqlalchemy.orm import Session, joinedload

from app.booking.models import Booking, Slot
from app.centres.models import Centre
from app.staff import figures


def _period_query(query, centre: Centre | None, first_day: date, last_day: date, zone):
    start, end = _bounds(first_day, last_day, zone)
    query = query.where(Slot.starts_at >= start, Slot.starts_at < end)
    return query.where(Slot.centre_id == centre.id) if centre is not None else query


def _zones(session: Session) -> dict[int, ZoneInfo]:
    return {centre_id: ZoneInfo(name) for centre_id, name in session.execute(select(Centre.id, Centre.timezone))}


def _figure_rows(session: Session, centre_ids: list[int] | None, start: datetime, end: datetime):
    """Plain rows (no ORM objects) of the slots starting in [start, end) and their bookings, each
    with its centre: two statements whatever the number of centres."""
    zones = _zones(session)
    where = [Slot.starts_at >= start, Slot.starts_at < end]
    if centre_ids is not None:
        where.append(Slot.centre_id.in_(centre_ids))
    # Times that start together (every exam and category of an hour) summed in the database.
    blocked = Slot.blocked_at.is_not(None)
    query = (
        select(Slot.centre_id, Slot.starts_at, blocked, func.sum(Slot.capacity), func.sum(Slot.booked))
        .where(*where)
        .group_by(Slot.centre_id, Slot.starts_at, blocked)
    )
    slots = [
        (centre_id, at, figures.SlotRow(at.astimezone(zones[centre_id]).date(), int(capacity), int(booked), shut))
        for centre_id, at, shut, capacity, booked in session.execute(query).tuples()
    ]
    bookings = [
        (centre_id, figures.BookingRow(exam_type, status, confirmed_at, starts_at))
        for centre_id, exam_type, status, confirmed_at, starts_at in session.execute(
            select(Slot.centre_id, Booking.exam_type, Booking.status, Booking.confirmed_at, Slot.starts_at)
            .join(Booking.slot)
            .where(*where)
        ).tuples()
    ]
    return slots, bookings


def _bounds(first_day: date, last_day: date, zone) -> tuple[datetime, datetime]:
    return datetime.combine(first_day, time.min, zone), datetime.combine(last_day + timedelta(days=1), time.min, zone)


def dashboard(session: Session, centre: Centre | None, first_day: date, last_day: date, zone) -> figures.Figures:
    """The figures of one centre (or all) for exams from `first_day` to `last_day` (in `zone`)."""
    slots, bookings = _figure_rows(
        session, None if centre is None else [centre.id], *_bounds(first_day, last_day, zone)
    )
    return figures.compute([row for _c, _s, row in slots], [row for _c, row in bookings])


def across_centres(
    session: Session, centres: list[Centre], first_day: date, last_day: date, zone
) -> tuple[figures.Figures, list[tuple[Centre, figures.Figures]]]:
    """All centres together (days in `zone`) and each centre (days in its own zone) for the period:
    the rows of all of them in two statements over the widest span, then split."""
    bounds = {centre.id: _bounds(first_day, last_day, centre.zone) for centre in centres}
    overall = _bounds(first_day, last_day, zone)
    spans = [overall, *bounds.values()]
    slots, bookings = _figure_rows(session, None, min(span[0] for span in spans), max(span[1] for span in spans))

    def within(start, end, centre_id=None):
        return figures.compute(
            [row for c, at, row in slots if start <= at < end and centre_id in (None, c)],
            [row for c, row in bookings if start <= row.starts_at < end and centre_id in (None, c)],
        )

    return within(*overall), [(centre, within(*bounds[centre.id], centre.id)) for centre in centres]


def default_period(today: date) -> tuple[date, date]:
    """The exam days oversight looks at unless told otherwise: two weeks back, two weeks ahead."""
    return today - timedelta(days=14), today + timedelta(days=13)


def _period_bookings_query(centre: Centre, first_day: date, last_day: date):
    # Exports print each applicant's name and IIN: the user comes in the same statement.
    query = (
        select(Booking)
        .join(Booking.slot)
        .options(joinedload(Booking.user))
        .order_by(Slot.starts_at, Booking.ticket, Booking.id)
    )
    return _period_query(query, centre, first_day, last_day, centre.zone)


def period_bookings(session: Session, centre: Centre, first_day: date, last_day: date) -> list[Booking]:
    """Every booking of the centre's exams in the period (held, cancelled … too), by exam time."""
    return list(session.scalars(_period_bookings_query(centre, first_day, last_day)))


def stream_period_bookings(
    session: Session, centre: Centre, first_day: date, last_day: date, batch_size: int = 500
) -> ScalarResult[Booking]:
    """The same bookings, fetched `batch_size` rows at a time (a server-side cursor on PostgreSQL),
    so that an export of years of bookings never holds them all in memory. Close it when done
    (`with`): a reader that stops early would otherwise leave the cursor open."""
    query = _period_bookings_query(centre, first_day, last_day).execution_options(yield_per=batch_size)
    return session.scalars(query)


def count_period_bookings(session: Session, centre: Centre, first_day: date, last_day: date) -> int:
    query = select(func.count(Booking.id)).join(Booking.slot)
    return session.scalar(_period_query(query, centre, first_day, last_day, centre.zone))
