"""Which exam times can be booked and how many places they have free: per slot, per day of a
month, the first free place of a centre or a city, and the slots the generators add.

Holds count in `booked` until they are released, but an expired hold is never treated as taken:
availability adds expired holds back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Date, Select, Subquery, case, cast, func, insert, literal, or_, select
from sqlalchemy.orm import Session, lazyload

from app.booking.eligibility import BookingWindow
from app.booking.models import Booking, BookingStatus, Slot
from app.centres.models import Centre


def _expired_holds_in_slot(now: datetime):
    return (
        select(func.count(Booking.id))
        .where(Booking.slot_id == Slot.id, Booking.status == BookingStatus.HELD, Booking.hold_expires_at <= now)
        .correlate(Slot)
        .scalar_subquery()
    )


def expired_holds(now: datetime) -> Subquery:
    """Expired holds per slot, for pages that read many slots: the few holds the sweep has not
    released yet, found through the partial index of holds by expiry and joined to the slots, where
    a subquery per slot would probe the bookings of each of a month's thousand-odd slots."""
    return (
        select(Booking.slot_id, func.count().label("holds"))
        .where(Booking.status == BookingStatus.HELD, Booking.hold_expires_at <= now)
        .group_by(Booking.slot_id)
        .subquery("expired")
    )


def available_places(now: datetime, expired: Subquery | None = None) -> ColumnElement[int]:
    """Free places of a slot as SQL: what is not taken, counting expired holds as free. A blocked
    slot, or one held back for a fair-release round's draw, has none to book. `expired`: the
    query joins `expired_holds` (outer join on the slot) instead of asking per slot."""
    held_back = or_(Slot.blocked_at.is_not(None), ~Slot.open_to_booking())
    back = _expired_holds_in_slot(now) if expired is None else func.coalesce(expired.c.holds, 0)
    return case((held_back, 0), else_=Slot.capacity - Slot.booked + back)


def _with_expired(query: Select, expired: Subquery) -> Select:
    return query.select_from(Slot).outerjoin(expired, expired.c.slot_id == Slot.id)


@dataclass(frozen=True)
class SlotAvailability:
    slot: Slot
    available: int

    def is_open(self, window: BookingWindow) -> bool:
        """Whether the exam can be booked at the window's moment, if a place is free."""
        return window.admits(self.slot.starts_at) and self.slot.blocked_at is None and not self.slot.held_for_release

    def can_book(self, window: BookingWindow) -> bool:
        return self.is_open(window) and self.available > 0


@dataclass(frozen=True)
class ExamTimes:
    """A centre's exam times for one exam and licence category, from `first_day` to `last_day`
    (the centre's days)."""

    centre: Centre
    exam_type: str
    category: str
    first_day: date
    last_day: date

    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=n) for n in range((self.last_day - self.first_day).days + 1)]

    def midnight(self, day: date) -> datetime:
        """The instant the centre's `day` begins (zoneinfo keeps any change of offset right)."""
        return datetime.combine(day, time.min, self.centre.zone)

    def condition(self) -> list:
        return [
            Slot.centre_id == self.centre.id,
            Slot.exam_type == self.exam_type,
            Slot.category == self.category,
            Slot.starts_at >= self.midnight(self.first_day),
            Slot.starts_at < self.midnight(self.last_day + timedelta(days=1)),
        ]


def slot_availability(session: Session, now: datetime, times: ExamTimes) -> list[SlotAvailability]:
    # All of one centre, which the caller has loaded: joining its row to every slot (Slot.centre's default)
    # only makes the ORM rebuild it dozens of times per page; the identity map answers `slot.centre`.
    expired = expired_holds(now)
    query = _with_expired(select(Slot, available_places(now, expired)), expired)
    query = query.options(lazyload(Slot.centre)).where(*times.condition())
    rows = session.execute(query.order_by(Slot.starts_at))
    return [SlotAvailability(slot, available) for slot, available in rows]


@dataclass(frozen=True)
class DayPlaces:
    exam_times: int
    free: int
    # A time of the day the waitlist can be joined from, for the whole day (a full day's button): neither
    # blocked nor held back for a round. Not part of the day's numbers.
    waitlist_slot: int | None = field(default=None, compare=False)


def places_by_day(session: Session, now: datetime, times: ExamTimes, window: BookingWindow) -> dict[date, DayPlaces]:
    """Per day (the centre's days) with exam times that can be booked (`window`): how many there are and
    how many places are free. The month view's numbers, added up by the database: one row a day,
    however many slots a day has."""
    day = _local_day(session, times).label("day")
    waitable = case((Slot.blocked_at.is_(None) & Slot.round_id.is_(None), Slot.id)).label("waitable")
    expired = expired_holds(now)
    slots = (
        _with_expired(select(day, available_places(now, expired).label("free"), waitable), expired)
        .where(*times.condition(), *_open_for_booking(window))
        .subquery()
    )
    rows = session.execute(
        select(slots.c.day, func.count(), func.sum(slots.c.free), func.min(slots.c.waitable)).group_by(slots.c.day)
    )
    return {day: DayPlaces(count, int(free), waitable) for day, count, free, waitable in rows}


def _open_for_booking(window: BookingWindow) -> list[ColumnElement[bool]]:
    return [Slot.starts_at >= window.opens, Slot.starts_at <= window.closes]


def _local_day(session: Session, times: ExamTimes) -> ColumnElement[date]:
    """The centre's day a slot of `times` starts on, as SQL. PostgreSQL knows the time zones; SQLite
    does not, so there the start is compared with the instants the period's days begin."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone(times.centre.timezone, Slot.starts_at), Date)
    return case(
        *((Slot.starts_at < times.midnight(day + timedelta(days=1)), literal(day, Date)) for day in times.days())
    )


def slot_with_availability(session: Session, slot_id: int, now: datetime) -> SlotAvailability | None:
    row = session.execute(select(Slot, available_places(now)).where(Slot.id == slot_id)).first()
    return SlotAvailability(*row) if row else None


def earliest_free(
    session: Session, now: datetime, window: BookingWindow, *, city: str, exam_type: str, category: str
) -> list[SlotAvailability]:
    """Per centre of the city, the first place that can be booked (`window`); soonest first."""
    found = []
    for centre in session.scalars(select(Centre).where(Centre.city_en == city)):
        first = first_free(session, now, window, centre=centre, exam_type=exam_type, category=category)
        if first:
            found.append(first)
    return sorted(found, key=lambda item: item.slot.starts_at)


def first_free(
    session: Session, now: datetime, window: BookingWindow, *, centre: Centre, exam_type: str, category: str
) -> SlotAvailability | None:
    """The centre's first place that can be booked: within `window`, neither full nor blocked."""
    row = session.execute(
        select(Slot, available_places(now))
        .where(
            Slot.centre_id == centre.id,
            Slot.exam_type == exam_type,
            Slot.category == category,
            *_open_for_booking(window),
            available_places(now) > 0,
        )
        .order_by(Slot.starts_at)
        .limit(1)
    ).first()
    return SlotAvailability(*row) if row else None


@dataclass(frozen=True)
class SlotSpec:
    centre_id: int
    exam_type: str
    category: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    template_id: int | None = None


def add_missing_slots(session: Session, specs: list[SlotSpec]) -> int:
    """Create the slots that do not exist yet (same centre, exam, category and start); returns how
    many. Idempotent, for generators (weekly templates, demo data)."""
    if not specs:
        return 0
    existing = set(
        session.execute(
            select(Slot.centre_id, Slot.exam_type, Slot.category, Slot.starts_at).where(
                Slot.centre_id.in_({spec.centre_id for spec in specs}),
                Slot.starts_at >= min(spec.starts_at for spec in specs),
                Slot.starts_at <= max(spec.starts_at for spec in specs),
            )
        ).tuples()
    )
    missing = [
        spec for spec in specs if (spec.centre_id, spec.exam_type, spec.category, spec.starts_at) not in existing
    ]
    if missing:
        session.execute(insert(Slot), [vars(spec) for spec in missing])
    return len(missing)
