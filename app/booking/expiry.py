"""Releasing expired holds: those in a request's way, and the scheduler's sweep of the rest.
Each released hold gets a "hold-expired" message, and its place is offered to the waitlist; its
history shows the expiry from the booking itself (Booking.events), with no row written."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime

from flask import current_app
from sqlalchemy import ColumnElement, Integer, String, any_, bindparam, func, or_, select, true, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from app.booking.eligibility import Policy
from app.booking.messages import booking_messages, queue_booking_messages
from app.booking.models import Booking, BookingStatus, Slot, WaitlistEntry, WaitlistStatus
from app.booking.waitlist import offer_to_waitlist
from app.core.counters import HOLDS_EXPIRED, count_on_commit


def release_expired_holds(session: Session, now: datetime, policy: Policy | None = None) -> int:
    """Release every expired hold in a fixed number of statements (the scheduler's sweep); returns
    how many."""
    return expire_holds(session, now, policy or Policy.from_config(current_app.config))


def expire_holds(session: Session, now: datetime, policy: Policy, *conditions) -> int:
    """Expire held bookings past their time (all, or those matching `conditions`: one slot's, one
    person's) in a fixed number of statements, however many there are; returns how many.

    The UPDATE … RETURNING is the claim: a hold is expired by the one transaction whose UPDATE
    changed it from held (another one running at once waits for that row and then skips it), and
    everything else works on the holds it claimed only: their slots' places (grouped by slot), their
    history and their messages. Then the freed places are offered to the slots' waitlists."""
    claim = (
        update(Booking)
        .where(Booking.status == BookingStatus.HELD, Booking.hold_expires_at <= now, *conditions)
        .values(status=BookingStatus.EXPIRED.value)
        .returning(Booking.id, Booking.user_id, Booking.slot_id)
    )
    if session.get_bind().dialect.name == "postgresql":
        released, waited = _release_in_one_statement(session, claim)
    else:
        released, waited = _release(session, claim, now)
    if not released:
        return 0
    count_on_commit(session, HOLDS_EXPIRED, released)
    if waited:
        for slot in session.scalars(select(Slot).where(_among(session, Slot.id, list(waited))).order_by(Slot.id)):
            offer_to_waitlist(session, slot, now, policy, places=waited[slot.id])
    return released


def _release_in_one_statement(session: Session, claim) -> tuple[int, dict[int, int]]:
    """PostgreSQL: the claim and all that follows from it as one statement (data-modifying WITH).

    The claimed rows never travel to the application and back: sent as a 100 000-element array, they
    were read back twice by a scan of every booking (the freed places, the outbox). Answers one row,
    or one per freed slot that someone waits for: how many holds were released, which of the
    bookings and slots this session holds changed (they are forgotten), and the waited-for slot with
    its freed places. Returns the count and those places by slot."""
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
    # No history row: the booking's status and `hold_expires_at` are its "expired" step (Booking.events).
    messages = booking_messages(session, kind="hold-expired", bookings=select(claimed.c.id, claimed.c.user_id))
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
        .add_cte(freed_slots, messages.cte("messages"))
        .execution_options(synchronize_session=False)
    ).all()
    released, changed_bookings, changed_slots = rows[0][:3]
    _forget_changed(session, set(changed_bookings), set(changed_slots))
    return released, {slot_id: places for *_, slot_id, places in rows if slot_id is not None}


def _session_keys(session: Session, model) -> list[int]:
    """The ids of this model's objects in the session (a handful), read from the identity keys."""
    return [key for (cls, (key, *_), *_) in session.identity_map if cls is model]


def _release(session: Session, claim, now: datetime) -> tuple[int, dict[int, int]]:
    """SQLite, which cannot put an UPDATE in a WITH clause: the claim's UPDATE … RETURNING, then one
    statement each over the ids it claimed, sent back as one parameter: the freed places (one
    UPDATE … FROM, grouped by slot), the outbox (INSERT … SELECT), the waited-for slots. Returns how
    many holds it released and the freed places of the slots someone waits for."""
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
    # No history row: the booking's status and `hold_expires_at` are its "expired" step (Booking.events).
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
    at its centre: `offer_to_waitlist` then looks at their days."""
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
