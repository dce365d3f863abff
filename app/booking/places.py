"""Places in slots and what the eligibility rules read about them: the only code that changes
`slot.booked`, the booking's history and the applicant's messages about it.

A place is taken only by one conditional UPDATE of the slot row (`booked < capacity`) in the same
transaction as the booking's insert, so no interleaving of requests can oversell a slot on SQLite or
PostgreSQL; a CHECK constraint (`booked <= capacity`) backs it up. Many holds at once (a round's
winners, `create_holds`) take each slot's places in one such UPDATE (`booked + n <= capacity`).
Like every booking service these are plain functions over a session that raise `DomainError`s and
never commit: the view or job commits once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from app.auth.models import User
from app.booking.eligibility import BookingFacts, BookingWindow, Policy, Refusal, SlotFacts, has_priority
from app.booking.models import Booking, BookingEvent, BookingStatus, Slot
from app.centres.models import Centre
from app.core.counters import HOLDS_TAKEN, count_on_commit
from app.core.database import is_postgresql, unnest_rows
from app.core.errors import DomainError
from app.notify.services import queue_booking_messages, queue_message


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


def booking_window(history: list[BookingFacts], exam_type: str, now: datetime, policy: Policy) -> BookingWindow:
    """The exams of this type the person (their `booking_history`) can book now
    (`Policy.booking_open`, with their priority)."""
    return policy.booking_open(now, priority=has_priority(exam_type, history))


def booking_history(session: Session, user_id: int) -> list[BookingFacts]:
    """The person's bookings as the rules see them, read as plain rows: loading them as objects with their
    slots and centres cost about 3 ms a call even for a person with none, and a calendar page asks twice."""
    rows = session.execute(
        select(
            Booking.id,
            Booking.exam_type,
            Booking.category,
            Booking.status,
            Booking.created_at,
            Slot.starts_at,
            Centre.timezone,
            Booking.hold_expires_at,
            Booking.cancelled_at,
            Booking.reschedule_count,
            Booking.rebook_priority,
        )
        .join(Slot, Slot.id == Booking.slot_id)
        .join(Centre, Centre.id == Slot.centre_id)
        .where(Booking.user_id == user_id)
    )
    return [
        BookingFacts(
            id=row.id,
            exam_type=row.exam_type,
            category=row.category,
            status=row.status,
            created_at=row.created_at,
            starts_at=row.starts_at,
            local_date=row.starts_at.astimezone(ZoneInfo(row.timezone)).date(),
            hold_expires_at=row.hold_expires_at,
            cancelled_at=row.cancelled_at,
            reschedule_count=row.reschedule_count,
            rebook_priority=row.rebook_priority,
        )
        for row in rows
    ]


def change_booked(session: Session, slot_id: int, delta: int, *conditions) -> bool:
    result = session.execute(
        update(Slot)
        .where(Slot.id == slot_id, *conditions)
        .values(booked=Slot.booked + delta)
        .execution_options(synchronize_session=False)
    )
    if (slot := session.identity_map.get(identity_key(Slot, slot_id))) is not None:
        session.expire(slot, ["booked"])
    return result.rowcount == 1


def slot_in_round() -> DomainError:
    return DomainError(
        _l("These places go by a fair-release lottery: file a request in the round before its draw."),
        code="slot-in-round",
        status=409,
    )


def take_place(session: Session, slot: Slot) -> None:
    """Capacity check and taking the place in one statement: the database decides who is first.
    A slot held back for a round's lottery (`round_id`) gives no place until the draw releases it."""
    conditions = (Slot.booked < Slot.capacity, Slot.blocked_at.is_(None), Slot.open_to_booking())
    if not change_booked(session, slot.id, +1, *conditions):
        if session.scalar(select(~Slot.open_to_booking()).where(Slot.id == slot.id)):
            raise slot_in_round()
        raise slot_full()


def free_place(session: Session, slot_id: int, count: int = 1) -> None:
    change_booked(session, slot_id, -count)


def record_event(booking: Booking, action: str, now: datetime) -> None:
    """A step in the booking's history (also staff steps: checked in, not admitted, no-show)."""
    booking.recorded_events.append(BookingEvent(action=action, slot_id=booking.slot_id, at=now))


def create_hold(session: Session, user: User, slot: Slot, now: datetime, ttl: timedelta) -> Booking:
    """Take a place and insert the hold, both or neither (a savepoint)."""
    try:
        with session.begin_nested():
            take_place(session, slot)
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


def create_holds(session: Session, claims: Sequence[tuple[int, Slot]], now: datetime, ttl: timedelta) -> list[int]:
    """`create_hold` for many people at once (a round's winners): (user id, slot) in, the holds'
    ids out in the same order. Each slot's places are taken by one conditional UPDATE for all its
    holds (`booked + n <= capacity`), the holds, their history and nothing else in one INSERT each;
    all or nothing (a savepoint), whatever their number."""
    if not claims:
        return []  # (an INSERT with an empty list of rows would insert one row of defaults)
    taken = Counter(slot.id for _user_id, slot in claims)
    try:
        with session.begin_nested():
            for slot_id, count in taken.items():
                conditions = (Slot.booked + count <= Slot.capacity, Slot.blocked_at.is_(None), Slot.open_to_booking())
                if not change_booked(session, slot_id, +count, *conditions):
                    raise slot_full()
            holds = [
                {"user_id": user_id, "slot_id": slot.id, "exam_type": slot.exam_type, "category": slot.category}
                for user_id, slot in claims
            ]
            ids = _insert_holds(session, holds, now, now + ttl)
            events = [
                {"booking_id": booking_id, "slot_id": hold["slot_id"]}
                for booking_id, hold in zip(ids, holds, strict=True)
            ]
            _insert_events(session, events, "held", now)
    except IntegrityError:
        # One of them holds or booked another place meanwhile (the partial unique indexes).
        raise NotEligible(Refusal("already-booked")) from None
    count_on_commit(session, HOLDS_TAKEN, len(ids))
    return ids


_HOLD_COLUMNS = {"user_id": "integer", "slot_id": "integer", "exam_type": "text", "category": "text"}


def _insert_holds(session: Session, holds: list[dict], now: datetime, expires_at: datetime) -> list[int]:
    """Insert the holds (`_HOLD_COLUMNS`); their ids in the same order."""
    same = {
        "status": BookingStatus.HELD.value,
        "hold_expires_at": expires_at,
        "created_at": now,
    }
    if not is_postgresql(session):
        statement = insert(Booking).returning(Booking.id, sort_by_parameter_order=True)
        return list(session.scalars(statement, [same | hold for hold in holds]))
    source, arrays = unnest_rows(_HOLD_COLUMNS, holds)
    statement = f"""
        INSERT INTO booking (user_id, slot_id, exam_type, category, status, hold_expires_at, created_at,
                             ics_sequence, reschedule_count)
        SELECT v.user_id, v.slot_id, v.exam_type, v.category, :status, :hold_expires_at, :created_at, 0, 0
        FROM {source}
        RETURNING id, user_id
    """  # noqa: S608  (no value in the text: the columns are our own)
    # One hold per person (a unique index), so the person tells which id is whose.
    ids = {user_id: booking_id for booking_id, user_id in session.execute(text(statement), arrays | same)}
    return [ids[hold["user_id"]] for hold in holds]


def _insert_events(session: Session, events: list[dict], action: str, at: datetime) -> None:
    """The same step (booking_id, slot_id) in many bookings' histories."""
    if not is_postgresql(session):
        session.execute(insert(BookingEvent), [{"action": action, "at": at} | event for event in events])
        return
    source, arrays = unnest_rows({"booking_id": "integer", "slot_id": "integer"}, events)
    statement = f"""
        INSERT INTO booking_event (booking_id, action, slot_id, at)
        SELECT v.booking_id, :action, v.slot_id, :at FROM {source}
    """  # noqa: S608  (no value in the text: the columns are our own)
    session.execute(text(statement), arrays | {"action": action, "at": at})


def _message_payload(slot: Slot, ticket: str | None, hold_expires_at: datetime | None, details: dict) -> dict:
    return {
        "ticket": ticket,
        "centre": slot.centre.code,
        "exam": slot.exam_type,
        "category": slot.category,
        "starts_at": slot.local_starts_at.isoformat(),
        "hold_expires_at": hold_expires_at.isoformat() if hold_expires_at else None,
        **details,
    }


def notify_applicant(session: Session, booking: Booking, kind: str, **details: Any) -> None:
    queue_message(
        session,
        kind=kind,
        user=booking.user,
        booking=booking,
        payload=_message_payload(booking.slot, booking.ticket, booking.hold_expires_at, details),
    )


def notify_holders(
    session: Session, holds: Sequence[tuple[int, int, Slot]], hold_expires_at: datetime, kind: str, **details: Any
) -> None:
    """`notify_applicant` for the new holds of `create_holds` ((booking id, user id, slot)), in one statement."""
    queue_booking_messages(
        session,
        kind,
        [
            (user_id, booking_id, _message_payload(slot, None, hold_expires_at, details))
            for booking_id, user_id, slot in holds
        ],
    )
