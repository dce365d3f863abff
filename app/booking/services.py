"""Booking operations: availability, holds, confirmation, tickets, moves, cancellations, results
and the waitlist.

Plain functions over a session that raise `DomainError`s and never commit: the view or job commits
once. A place is taken only by one conditional UPDATE of the slot row (`booked < capacity`) in the
same transaction as the booking's insert, so no interleaving of requests can oversell a slot on
SQLite or PostgreSQL; a CHECK constraint (`booked <= capacity`) backs it up.

Holds count in `booked` until they are released, but an expired hold is never treated as taken:
availability adds expired holds back, and every operation that needs a place first releases the
expired holds in its way. `release_expired_holds` sweeps the rest (the scheduler calls it).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    String,
    any_,
    bindparam,
    case,
    cast,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from app.auth.models import User
from app.booking.eligibility import (
    BookingFacts,
    BookingWindow,
    Policy,
    Refusal,
    SlotFacts,
    has_priority,
    refusal_to_book,
    refusal_to_cancel,
    refusal_to_move,
)
from app.booking.models import (
    ACTIVE_STATUSES,
    Booking,
    BookingEvent,
    BookingStatus,
    ExamType,
    Slot,
    TicketSequence,
    WaitlistEntry,
    WaitlistStatus,
)
from app.centres.models import Centre
from app.core.database import insert_for
from app.core.errors import DomainError, FieldErrors
from app.core.locking import lock
from app.core.types import UTCDateTime
from app.notify.services import booking_messages, queue_booking_messages, queue_message
from app.ops.counters import HOLDS_EXPIRED, HOLDS_TAKEN, count_on_commit

FEE_RECEIPT = re.compile(r"[A-Za-z0-9][A-Za-z0-9/-]{3,39}")


class NotEligible(DomainError):
    """A rule refuses the applicant; `reason` names it for machines, the message for people."""

    status = 422
    code = "not-eligible"

    def __init__(self, refusal: Refusal):
        extra = {"reason": refusal.reason}
        if refusal.not_before is not None:
            extra["not_before"] = refusal.not_before.isoformat()
        super().__init__(LazyString(lambda: refusal.message), **extra)
        self.refusal = refusal


def slot_full() -> DomainError:
    return DomainError(_l("This time has no free places left."), code="slot-full", status=409)


# --- Availability ------------------------------------------------------------------------------


def _expired_holds_in_slot(now: datetime):
    return (
        select(func.count(Booking.id))
        .where(Booking.slot_id == Slot.id, Booking.status == BookingStatus.HELD, Booking.hold_expires_at <= now)
        .correlate(Slot)
        .scalar_subquery()
    )


def available_places(now: datetime) -> ColumnElement[int]:
    """Free places of a slot as SQL: what is not taken, counting expired holds as free."""
    return case((Slot.blocked_at.is_not(None), 0), else_=Slot.capacity - Slot.booked + _expired_holds_in_slot(now))


@dataclass(frozen=True)
class SlotAvailability:
    slot: Slot
    available: int

    def is_open(self, window: BookingWindow) -> bool:
        """Whether the exam can be booked at the window's moment, if a place is free."""
        return window.admits(self.slot.starts_at) and self.slot.blocked_at is None

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
    rows = session.execute(select(Slot, available_places(now)).where(*times.condition()).order_by(Slot.starts_at))
    return [SlotAvailability(slot, available) for slot, available in rows]


@dataclass(frozen=True)
class DayPlaces:
    exam_times: int
    free: int


def places_by_day(session: Session, now: datetime, times: ExamTimes, window: BookingWindow) -> dict[date, DayPlaces]:
    """Per day (the centre's days) with exam times that can be booked (`window`): how many there are and
    how many places are free. The month view's numbers, added up by the database: one row a day,
    however many slots a day has."""
    day = _local_day(session, times).label("day")
    slots = (
        select(day, available_places(now).label("free"))
        .where(*times.condition(), *_open_for_booking(window))
        .subquery()
    )
    rows = session.execute(select(slots.c.day, func.count(), func.sum(slots.c.free)).group_by(slots.c.day))
    return {day: DayPlaces(count, int(free)) for day, count, free in rows}


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


# --- Facts for the rules -----------------------------------------------------------------------


def slot_facts(slot: Slot) -> SlotFacts:
    return SlotFacts(
        exam_type=slot.exam_type, category=slot.category, starts_at=slot.starts_at, local_date=slot.local_date
    )


def booking_facts(booking: Booking) -> BookingFacts:
    return BookingFacts(
        id=booking.id,
        exam_type=booking.exam_type,
        category=booking.category,
        status=booking.status,
        created_at=booking.created_at,
        starts_at=booking.slot.starts_at,
        local_date=booking.slot.local_date,
        hold_expires_at=booking.hold_expires_at,
        cancelled_at=booking.cancelled_at,
        reschedule_count=booking.reschedule_count,
        rebook_priority=booking.rebook_priority,
    )


def booking_window(session: Session, user_id: int, exam_type: str, now: datetime, policy: Policy) -> BookingWindow:
    """The exams of this type the person can book now (`Policy.booking_open`, with their priority)."""
    return policy.booking_open(now, priority=has_priority(exam_type, _history(session, user_id)))


def _history(session: Session, user_id: int) -> list[BookingFacts]:
    return [booking_facts(booking) for booking in session.scalars(select(Booking).where(Booking.user_id == user_id))]


# --- Places: the only code that changes slot.booked ----------------------------------------------


def _change_booked(session: Session, slot_id: int, delta: int, *conditions) -> bool:
    result = session.execute(
        update(Slot)
        .where(Slot.id == slot_id, *conditions)
        .values(booked=Slot.booked + delta)
        .execution_options(synchronize_session=False)
    )
    if (slot := session.identity_map.get(identity_key(Slot, slot_id))) is not None:
        session.expire(slot, ["booked"])
    return result.rowcount == 1


def _take_place(session: Session, slot: Slot) -> None:
    """Capacity check and taking the place in one statement: the database decides who is first."""
    if not _change_booked(session, slot.id, +1, Slot.booked < Slot.capacity, Slot.blocked_at.is_(None)):
        raise slot_full()


def _free_place(session: Session, slot_id: int, count: int = 1) -> None:
    _change_booked(session, slot_id, -count)


def record_event(booking: Booking, action: str, now: datetime) -> None:
    """A step in the booking's history (also staff steps: checked in, not admitted, no-show)."""
    booking.events.append(BookingEvent(action=action, slot_id=booking.slot_id, at=now))


def _create_hold(session: Session, user: User, slot: Slot, now: datetime, ttl: timedelta) -> Booking:
    """Take a place and insert the hold, both or neither (a savepoint)."""
    try:
        with session.begin_nested():
            _take_place(session, slot)
            booking = Booking(
                user_id=user.id,
                slot=slot,
                exam_type=slot.exam_type,
                category=slot.category,
                status=BookingStatus.HELD.value,
                hold_expires_at=now + ttl,
                created_at=now,
            )
            session.add(booking)
            session.flush()
    except IntegrityError:
        # A concurrent request of the same person (a double submit) won the partial unique index.
        raise NotEligible(Refusal("already-booked")) from None
    record_event(booking, "held", now)
    count_on_commit(session, HOLDS_TAKEN)
    return booking


# --- Applicants' operations ----------------------------------------------------------------------


def _slot_or_404(session: Session, slot_id: int) -> Slot:
    slot = session.get(Slot, slot_id)
    if slot is None:
        raise DomainError(_l("There is no such exam time."), code="slot-not-found", status=404)
    return slot


class TooManyHolds(DomainError):
    status = 429
    code = "hold-limit"

    def __init__(self):
        super().__init__(_l("You have taken too many holds in the last 24 hours. Please try again tomorrow."))


def _check_daily_holds(session: Session, user: User, now: datetime, policy: Policy) -> None:
    """Every booking starts as a hold, so the person's bookings made in the last 24 hours are
    their holds, however they ended (confirmed, expired, released)."""
    taken = session.scalar(
        select(func.count())
        .select_from(Booking)
        .where(Booking.user_id == user.id, Booking.created_at > now - timedelta(hours=24))
    )
    if taken >= policy.daily_holds:
        raise TooManyHolds()


def hold_place(session: Session, user: User, slot_id: int, now: datetime, policy: Policy) -> Booking:
    """Take a place for `user` as a hold that expires after the policy's TTL unless confirmed."""
    slot = _slot_or_404(session, slot_id)
    _check_daily_holds(session, user, now, policy)
    # Expired holds of this slot free their places, and the applicant's own no longer count.
    _expire_holds(session, now, policy, or_(Booking.slot_id == slot.id, Booking.user_id == user.id))
    if refusal := refusal_to_book(slot_facts(slot), _history(session, user.id), now, policy):
        raise NotEligible(refusal)
    return _create_hold(session, user, slot, now, policy.hold_ttl)


def own_booking(session: Session, user: User, booking_id: int) -> Booking | None:
    """The booking if it is the user's; anyone else's is as good as absent."""
    booking = session.get(Booking, booking_id)
    return booking if booking is not None and booking.user_id == user.id else None


def user_bookings(session: Session, user: User) -> list[Booking]:
    return list(
        session.scalars(
            select(Booking).join(Booking.slot).where(Booking.user_id == user.id).order_by(Slot.starts_at.desc())
        )
    )


def display_status(booking: Booking, now: datetime) -> str:
    """The status people see: a hold past its expiry is expired even before the sweep runs."""
    if booking.status == BookingStatus.HELD and not booking.is_live_hold(now):
        return BookingStatus.EXPIRED.value
    return booking.status


def _hold_expired() -> DomainError:
    return DomainError(
        _l("The hold has expired and the place was released. Please choose a time again."),
        code="hold-expired",
        status=409,
    )


def _not_active() -> DomainError:
    return DomainError(_l("This booking can no longer be changed."), code="booking-not-active", status=409)


def confirm(
    session: Session, booking: Booking, now: datetime, *, consent_personal_data: bool, fee_receipt: str
) -> Booking:
    """Turn a live hold into a booking with a ticket; needs consent and the state-fee receipt."""
    lock(session, booking, "status")
    if display_status(booking, now) == BookingStatus.EXPIRED:
        raise _hold_expired()
    if booking.status != BookingStatus.HELD:
        raise _not_active()
    errors: dict[str, list] = {}
    if consent_personal_data is not True:
        errors["consent_personal_data"] = [_l("Your consent to the processing of personal data is required.")]
    fee_receipt = (fee_receipt or "").strip()
    if not FEE_RECEIPT.fullmatch(fee_receipt):
        errors["fee_receipt"] = [_l("Enter the receipt number: 4 to 40 letters, digits, dashes or slashes.")]
    if errors:
        raise FieldErrors(errors)
    booking.status = BookingStatus.CONFIRMED.value
    booking.hold_expires_at = None
    booking.consent_at = booking.confirmed_at = now
    booking.fee_receipt = fee_receipt
    booking.ticket = _issue_ticket(session, booking.slot)
    record_event(booking, "confirmed", now)
    _queue(session, booking, "confirmation")
    return booking


def _issue_ticket(session: Session, slot: Slot) -> str:
    """ALM-T-20261201-0042: centre, exam, local day, the day's running number at that centre.

    The number comes from an atomic upsert of the centre-day counter, so concurrent confirmations
    never get the same one."""
    day = slot.local_date
    table = TicketSequence.__table__
    number = session.scalar(
        insert_for(session, TicketSequence)
        .values(centre_id=slot.centre_id, day=day, last=1)
        .on_conflict_do_update(index_elements=["centre_id", "day"], set_={"last": table.c.last + 1})
        .returning(table.c.last)
    )
    exam_letter = "T" if slot.exam_type == ExamType.THEORY else "P"
    return f"{slot.centre.code}-{exam_letter}-{day:%Y%m%d}-{number:04d}"


def cancel(session: Session, booking: Booking, now: datetime, policy: Policy) -> Booking:
    """Let a hold go or cancel a booking (until the cut-off); the place goes to the waitlist."""
    lock(session, booking, "status", "slot_id")
    if display_status(booking, now) not in ACTIVE_STATUSES:
        raise _not_active()
    if refusal := refusal_to_cancel(booking_facts(booking), now, policy):
        raise NotEligible(refusal)
    was_confirmed = booking.status == BookingStatus.CONFIRMED
    booking.status = BookingStatus.CANCELLED.value
    booking.cancelled_at = now
    booking.ics_sequence += 1
    _free_place(session, booking.slot_id)
    record_event(booking, "cancelled", now)
    if was_confirmed:
        _queue(session, booking, "cancellation")
    _offer_to_waitlist(session, booking.slot, now, policy)
    return booking


def reschedule(session: Session, booking: Booking, slot_id: int, now: datetime, policy: Policy) -> Booking:
    """Move a booking to another time, atomically: the old place is freed only if the new one is taken
    (and both happen in one transaction, so nobody sees an in-between)."""
    # The booking first, then the slots: the order every booking change takes its locks in.
    lock(session, booking, "status", "slot_id", "reschedule_count")
    if display_status(booking, now) == BookingStatus.EXPIRED:
        raise _hold_expired()
    if booking.status not in ACTIVE_STATUSES:
        raise _not_active()
    new_slot = _slot_or_404(session, slot_id)
    old_slot = booking.slot
    if new_slot.id == old_slot.id:
        raise DomainError(_l("The booking is already at this time."), code="same-slot", status=409)
    # Lock both slot rows in id order (PostgreSQL): two moves in opposite directions cannot deadlock.
    session.execute(select(Slot.id).where(Slot.id.in_([old_slot.id, new_slot.id])).order_by(Slot.id).with_for_update())
    _expire_holds(session, now, policy, Booking.slot_id == new_slot.id)
    history = _history(session, booking.user_id)
    if refusal := refusal_to_move(booking_facts(booking), slot_facts(new_slot), history, now, policy):
        raise NotEligible(refusal)
    _take_place(session, new_slot)
    _free_place(session, old_slot.id)
    booking.slot = new_slot
    booking.reschedule_count += 1
    if booking.status == BookingStatus.CONFIRMED:
        booking.ticket = _issue_ticket(session, new_slot)
        booking.ics_sequence += 1
        _queue(session, booking, f"rescheduled-{booking.reschedule_count}")
    record_event(booking, "rescheduled", now)
    _offer_to_waitlist(session, old_slot, now, policy)
    return booking


def record_result(
    session: Session,
    booking: Booking,
    passed: bool,
    now: datetime,
    *,
    score: int | None = None,
    penalty_points: int | None = None,
) -> Booking:
    """The exam's outcome (staff record it) with the theory score or the practical's penalty points;
    it feeds the retake rules, and the applicant gets an "exam-result" message."""
    lock(session, booking, "status")
    if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.ATTENDED):
        raise DomainError(_l("Only a confirmed exam can get a result."), code="no-exam-to-record", status=409)
    booking.status = (BookingStatus.PASSED if passed else BookingStatus.FAILED).value
    booking.result_at = now
    booking.score = score
    booking.penalty_points = penalty_points
    record_event(booking, booking.status, now)
    _queue(session, booking, "exam-result", passed=passed, score=score, penalty_points=penalty_points)
    return booking


# --- Centre staff: capacity and blocking ---------------------------------------------------------


def set_capacity(session: Session, slot: Slot, capacity: int, now: datetime, policy: Policy) -> int:
    """Give a slot `capacity` places; never fewer than are taken. Returns the previous capacity.

    One conditional UPDATE (`booked <= capacity`) decides, so a hold taken at the same moment either
    counts against the new capacity or waits for it: the slot is never oversold. Added places go to
    the waitlist first."""
    if capacity < 1:
        raise FieldErrors({"capacity": [_l("A time needs at least one place.")]})
    _expire_holds(session, now, policy, Booking.slot_id == slot.id)  # expired holds take no place
    previous = slot.capacity
    result = session.execute(
        update(Slot)
        .where(Slot.id == slot.id, Slot.booked <= capacity)
        .values(capacity=capacity)
        .execution_options(synchronize_session=False)
    )
    session.expire(slot, ["capacity", "booked"])
    if result.rowcount != 1:
        raise FieldErrors(
            {
                "capacity": [
                    _l(
                        "%(booked)s places of this time are already booked: the capacity cannot be lower. "
                        "Block the time to cancel its bookings instead.",
                        booked=slot.booked,
                    )
                ]
            }
        )
    if capacity > previous:
        _offer_to_waitlist(session, slot, now, policy, places=capacity - previous)
    return previous


def block_slot(session: Session, slot: Slot, reason: str, now: datetime, policy: Policy) -> list[Booking]:
    """Close a slot (breakdown, examiner ill): nobody can book it any more, its bookings and holds are
    cancelled, each applicant gets a "slot-blocked" message and a priority rebooking (the flag on
    the cancelled booking; see eligibility). Returns the cancelled bookings."""
    reason = " ".join((reason or "").split())
    if not 3 <= len(reason) <= 300:
        raise FieldErrors({"reason": [_l("Give the reason (3 to 300 characters): applicants will read it.")]})
    # Its bookings before the slot, the order a cancel or a move takes them in (no deadlock).
    session.execute(select(Booking.id).where(*_live_in(slot)).order_by(Booking.id).with_for_update())
    lock(session, slot, "blocked_at")
    if slot.blocked_at is not None:
        raise DomainError(_l("This time is already blocked."), code="slot-blocked", status=409)
    slot.blocked_at = now
    slot.blocked_reason = reason
    session.flush()  # blocked before the expired holds' places are offered: nobody gets them
    _expire_holds(session, now, policy, Booking.slot_id == slot.id)
    affected = list(
        session.scalars(
            select(Booking).where(*_live_in(slot)).order_by(Booking.id).execution_options(populate_existing=True)
        )
    )
    for booking in affected:
        booking.status = BookingStatus.CANCELLED.value
        booking.cancelled_at = now
        booking.ics_sequence += 1
        booking.rebook_priority = True
        record_event(booking, "blocked", now)
        _queue(session, booking, "slot-blocked", reason=reason)
    if affected:
        _free_place(session, slot.id, len(affected))
    return affected


def _live_in(slot: Slot) -> tuple[ColumnElement[bool], ...]:
    return Booking.slot_id == slot.id, Booking.status.in_(ACTIVE_STATUSES)


def _queue(session: Session, booking: Booking, kind: str, **details: Any) -> None:
    slot = booking.slot
    queue_message(
        session,
        kind=kind,
        user=booking.user,
        booking=booking,
        payload={
            "ticket": booking.ticket,
            "centre": slot.centre.code,
            "exam": slot.exam_type,
            "category": slot.category,
            "starts_at": slot.local_starts_at.isoformat(),
            "hold_expires_at": booking.hold_expires_at.isoformat() if booking.hold_expires_at else None,
            **details,
        },
    )


# --- Expiry -------------------------------------------------------------------------------------


def release_expired_holds(session: Session, now: datetime, policy: Policy | None = None) -> int:
    """Release every expired hold in a fixed number of statements (the scheduler's sweep); returns
    how many. On PostgreSQL in one statement, however many there are.

    Each released hold gets a "hold-expired" message, and its place is offered to the waitlist."""
    in_one_statement = session.get_bind().dialect.name == "postgresql"
    policy = policy or Policy.from_config(current_app.config)
    return _expire_holds(session, now, policy, in_one_statement=in_one_statement)


def _expire_holds(session: Session, now: datetime, policy: Policy, *conditions, in_one_statement=False) -> int:
    """Expire held bookings past their time in a fixed number of statements, however many there are;
    returns how many.

    The UPDATE … RETURNING is the claim: a hold is expired by the one transaction whose UPDATE
    changed it from held (another one running at once waits for that row and then skips it), and
    everything else works on the holds it claimed only: their slots' places (grouped by slot), their
    history and their messages. Then the freed places are offered to the slots' waitlists.

    `in_one_statement` (PostgreSQL only) is for the sweep, which may meet 100 000 holds. The holds in
    a request's way (`conditions`: one slot's, one person's: a handful) go step by step: there the
    usual case is one UPDATE that claims nothing (2 ms), and building and compiling the one statement
    took 20 ms more each time (SQLAlchemy never caches PostgreSQL's INSERT … ON CONFLICT)."""
    claim = (
        update(Booking)
        .where(Booking.status == BookingStatus.HELD, Booking.hold_expires_at <= now, *conditions)
        .values(status=BookingStatus.EXPIRED.value)
        .returning(Booking.id, Booking.user_id, Booking.slot_id)
    )
    if in_one_statement:
        released, waited = _release_in_one_statement(session, claim, now)
    else:
        released, waited = _release_step_by_step(session, claim, now)
    if not released:
        return 0
    count_on_commit(session, HOLDS_EXPIRED, released)
    if waited:
        for slot in session.scalars(select(Slot).where(_among(session, Slot.id, list(waited))).order_by(Slot.id)):
            _offer_to_waitlist(session, slot, now, policy, places=waited[slot.id])
    return released


def _release_in_one_statement(session: Session, claim, now: datetime) -> tuple[int, dict[int, int]]:
    """PostgreSQL: the claim and all that follows from it as one statement (data-modifying WITH), so
    the claimed rows never travel to the application and back, however many there are.

    Answers one row, or one per freed slot that someone waits for: how many holds were released,
    which of the bookings and slots this session holds changed (they are forgotten), and the
    waited-for slot with its freed places. Returns the count and those places by slot."""
    bookings_here, slots_here = _session_keys(session, Booking), _session_keys(session, Slot)
    claimed = claim.cte("claimed")
    freed = select(claimed.c.slot_id, func.count().label("places")).group_by(claimed.c.slot_id).cte("freed")
    freed_slots = (
        update(Slot)
        .where(Slot.id == freed.c.slot_id)
        .values(booked=Slot.booked - freed.c.places)
        .returning(Slot.id, Slot.centre_id, Slot.exam_type, Slot.category, freed.c.places)
        .cte("freed_slots")
    )
    history = (
        insert(BookingEvent)
        .from_select(
            ["booking_id", "action", "slot_id", "at"],
            select(claimed.c.id, literal("expired"), claimed.c.slot_id, literal(now, type_=UTCDateTime())),
        )
        .cte("history")
    )
    messages = booking_messages(session, kind="hold-expired", bookings=select(claimed.c.id, claimed.c.user_id)).cte(
        "messages"
    )
    summary = select(
        select(func.count()).select_from(claimed).scalar_subquery().label("released"),
        func.array(select(claimed.c.id).where(claimed.c.id == _array(bookings_here)).scalar_subquery()).label(
            "bookings"
        ),
        func.array(select(freed.c.slot_id).where(freed.c.slot_id == _array(slots_here)).scalar_subquery()).label(
            "slots"
        ),
    ).subquery("summary")
    waited = (
        select(freed_slots.c.id, freed_slots.c.places)
        .where(
            _someone_waits(freed_slots.c.id, freed_slots.c.centre_id, freed_slots.c.exam_type, freed_slots.c.category)
        )
        .subquery("waited")
    )
    rows = session.execute(
        select(summary, waited.c.id, waited.c.places)
        .select_from(summary.outerjoin(waited, true()))
        .add_cte(freed_slots, history, messages)
    ).all()
    released, changed_bookings, changed_slots = rows[0][:3]
    _forget_changed(session, set(changed_bookings), set(changed_slots))
    return released, {slot_id: places for *_, slot_id, places in rows if slot_id is not None}


def _release_step_by_step(session: Session, claim, now: datetime) -> tuple[int, dict[int, int]]:
    """The claim's UPDATE … RETURNING, then one statement each over the ids it claimed, sent back as
    one parameter: the freed places (one UPDATE … FROM, grouped by slot), the history and the outbox
    (INSERT … SELECT each), the waited-for slots. SQLite cannot put an UPDATE in a WITH clause."""
    expired = session.execute(claim.execution_options(synchronize_session=False)).all()
    if not expired:
        return 0, {}
    booking_ids = [booking_id for booking_id, _, _ in expired]
    claimed = _among(session, Booking.id, booking_ids)
    freed = select(Booking.slot_id, func.count().label("places")).where(claimed).group_by(Booking.slot_id).subquery()
    session.execute(
        update(Slot)
        .where(Slot.id == freed.c.slot_id)
        .values(booked=Slot.booked - freed.c.places)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        insert(BookingEvent).from_select(
            ["booking_id", "action", "slot_id", "at"],
            select(Booking.id, literal("expired"), Booking.slot_id, literal(now, type_=UTCDateTime())).where(claimed),
        )
    )
    queue_booking_messages(session, kind="hold-expired", bookings=select(Booking.id, Booking.user_id).where(claimed))
    places = Counter(slot_id for _, _, slot_id in expired)
    _forget_changed(session, set(booking_ids), set(places))
    waited = session.scalars(
        select(Slot.id).where(
            _among(session, Slot.id, list(places)),
            _someone_waits(Slot.id, Slot.centre_id, Slot.exam_type, Slot.category),
        )
    )
    return len(expired), {slot_id: places[slot_id] for slot_id in waited}


def _session_keys(session: Session, model) -> list[int]:
    """The ids of the `model` objects this session holds, by identity key (a handful)."""
    return [key for (kind, (key, *_), *_) in session.identity_map if kind is model]


def _forget_changed(session: Session, booking_ids: set[int], slot_ids: set[int]) -> None:
    """Objects already in the session must not keep the state the set-based statements changed.
    Walks the session (a handful of objects) rather than looking up each of thousands of ids, by
    identity key: reading `id` of an object expired by an earlier commit would load it again."""
    for (model, (key, *_), *_), instance in list(session.identity_map.items()):
        if model is Booking and key in booking_ids:
            session.expire(instance)
        elif model is Slot and key in slot_ids:
            session.expire(instance, ["booked"])


def _someone_waits(slot_id, centre_id, exam_type, category) -> ColumnElement[bool]:
    """Someone waits for this slot (given by its columns), or for any time of its exam and category
    at its centre: `_offer_to_waitlist` then looks at their days."""
    return (
        select(WaitlistEntry.id)
        .where(
            WaitlistEntry.status == WaitlistStatus.WAITING,
            WaitlistEntry.centre_id == centre_id,
            WaitlistEntry.exam_type == exam_type,
            WaitlistEntry.category == category,
            or_(WaitlistEntry.slot_id.is_(None), WaitlistEntry.slot_id == slot_id),
        )
        .exists()
    )


def _array(ids: list[int]):
    """`= ANY` of this: ids as one PostgreSQL array parameter."""
    return any_(bindparam(None, ids, type_=postgresql.ARRAY(Integer)))


def _among(session: Session, column, ids: list[int]) -> ColumnElement[bool]:
    """`column IN ids` with the ids as one parameter, whatever their number: an IN list takes a
    parameter per id, and PostgreSQL refuses more than 65 535 (a sweep of 100 000 holds failed
    there), SQLite more than 32 766. PostgreSQL gets an array, SQLite a JSON array it reads with
    json_each."""
    if session.get_bind().dialect.name == "postgresql":
        return column == _array(ids)
    listed = func.json_each(bindparam(None, json.dumps(ids), type_=String)).table_valued("value")
    return column.in_(select(listed.c.value))


# --- Waitlist -----------------------------------------------------------------------------------


def join_waitlist(
    session: Session, user: User, slot_id: int, now: datetime, policy: Policy, *, whole_day: bool
) -> WaitlistEntry:
    """Wait for a place in a full slot, or (`whole_day`) at any time of that slot's day."""
    found = slot_with_availability(session, slot_id, now)
    if found is None:
        raise DomainError(_l("There is no such exam time."), code="slot-not-found", status=404)
    slot = found.slot
    if found.available > 0 and slot.blocked_at is None:
        raise DomainError(_l("This time still has free places: book one instead."), code="slot-has-places")
    if refusal := refusal_to_book(slot_facts(slot), _history(session, user.id), now, policy):
        raise NotEligible(refusal)
    waiting = select(WaitlistEntry.id).where(
        WaitlistEntry.user_id == user.id,
        WaitlistEntry.exam_type == slot.exam_type,
        WaitlistEntry.status == WaitlistStatus.WAITING,
    )
    if session.scalar(waiting) is not None:
        raise _already_waiting()
    entry = WaitlistEntry(
        user_id=user.id,
        centre_id=slot.centre_id,
        exam_type=slot.exam_type,
        category=slot.category,
        day=slot.local_date,
        slot_id=None if whole_day else slot.id,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(entry)
            session.flush()
    except IntegrityError:
        # A concurrent request of the same person (a double submit) won the unique index.
        raise _already_waiting() from None
    return entry


def _already_waiting() -> DomainError:
    return DomainError(_l("You are already on a waitlist for this exam. Leave it first."), code="already-waiting")


def user_waitlist(session: Session, user: User) -> list[WaitlistEntry]:
    return list(
        session.scalars(
            select(WaitlistEntry)
            .where(WaitlistEntry.user_id == user.id)
            .order_by(WaitlistEntry.created_at.desc(), WaitlistEntry.id.desc())
        )
    )


def leave_waitlist(session: Session, user: User, entry_id: int) -> WaitlistEntry | None:
    """Stop waiting; None when the entry is not the user's or not waiting."""
    entry = session.get(WaitlistEntry, entry_id)
    if entry is None or entry.user_id != user.id:
        return None
    lock(session, entry, "status")  # a place may be offered to the entry at this moment
    if entry.status != WaitlistStatus.WAITING:
        return None
    entry.status = WaitlistStatus.LEFT.value
    return entry


def _offer_to_waitlist(session: Session, slot: Slot, now: datetime, policy: Policy, places: int = 1) -> None:
    """Give freed places of `slot`, in order of joining, to the first waiting people the rules allow;
    each gets a hold (longer than usual: the offer must reach them) and a "waitlist-offer" message."""
    if refusal_to_book(slot_facts(slot), [], now, policy) is not None:
        return  # too late (or too early) for anyone to take this place
    # One waiting entry per person and exam (a unique index), so each person is in the queue once.
    # The queue is locked: an offer running at once (another freed place) waits, then reads the
    # entries as offered or left and skips them, so each entry is offered one place only.
    queue = session.scalars(
        select(WaitlistEntry)
        .where(
            WaitlistEntry.status == WaitlistStatus.WAITING,
            WaitlistEntry.centre_id == slot.centre_id,
            WaitlistEntry.exam_type == slot.exam_type,
            WaitlistEntry.category == slot.category,
            WaitlistEntry.day == slot.local_date,
            or_(WaitlistEntry.slot_id.is_(None), WaitlistEntry.slot_id == slot.id),
        )
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
        .with_for_update(of=WaitlistEntry)
        .execution_options(populate_existing=True)
    ).all()
    for entry in queue:
        if places == 0:
            return
        if refusal_to_book(slot_facts(slot), _history(session, entry.user_id), now, policy) is not None:
            continue  # not allowed now (e.g. holding another place): the next in line gets it
        user = session.get(User, entry.user_id)
        try:
            booking = _create_hold(session, user, slot, now, policy.waitlist_hold_ttl)
        except DomainError as error:
            if error.code == "slot-full":
                return
            continue
        entry.status = WaitlistStatus.OFFERED.value
        entry.offered_booking_id = booking.id
        _queue(session, booking, "waitlist-offer")
        places -= 1
