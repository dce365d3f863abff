"""What oversight reads: a period's figures and bookings of one centre or all."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import ScalarResult, func, select
from sqlalchemy.orm import Session, joinedload

from app.booking.models import Booking, Slot
from app.centres.models import Centre
from app.staff import figures


def _period_query(query, centre: Centre | None, first_day: date, last_day: date, zone):
    start = datetime.combine(first_day, time.min, zone)
    end = datetime.combine(last_day + timedelta(days=1), time.min, zone)
    query = query.where(Slot.starts_at >= start, Slot.starts_at < end)
    return query.where(Slot.centre_id == centre.id) if centre is not None else query


def dashboard(session: Session, centre: Centre | None, first_day: date, last_day: date, zone) -> figures.Figures:
    """The figures of one centre (or all) for exams from `first_day` to `last_day` (in `zone`)."""
    slots = [
        figures.SlotRow(slot.local_date, slot.capacity, slot.booked, slot.blocked_at is not None)
        for slot in session.scalars(_period_query(select(Slot), centre, first_day, last_day, zone))
    ]
    bookings = [
        figures.BookingRow(exam_type, status, confirmed_at, starts_at)
        for exam_type, status, confirmed_at, starts_at in session.execute(
            _period_query(
                select(Booking.exam_type, Booking.status, Booking.confirmed_at, Slot.starts_at).join(Booking.slot),
                centre,
                first_day,
                last_day,
                zone,
            )
        ).tuples()
    ]
    return figures.compute(slots, bookings)


def per_centre(
    session: Session, centres: list[Centre], first_day: date, last_day: date
) -> list[tuple[Centre, figures.Figures]]:
    """Each centre's figures for the period (days in each centre's zone)."""
    return [(centre, dashboard(session, centre, first_day, last_day, centre.zone)) for centre in centres]


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
