"""A centre's exam times on one day, their capacity, and blocking them.

Booking state changes go through the booking feature's places, holds and waitlist, so the rules
about places, waitlists, messages and eligibility stay in one place."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from app.audit.services import record as audit
from app.booking.expiry import expire_holds
from app.booking.models import ACTIVE_STATUSES, Booking, BookingStatus, Slot
from app.booking.places import free_place, notify_applicant, record_event
from app.booking.waitlist import offer_to_waitlist
from app.centres.models import Centre
from app.core.acting import Acting
from app.core.errors import DomainError, FieldErrors
from app.core.locking import lock


def day_bounds(centre: Centre, first_day: date, last_day: date) -> tuple[datetime, datetime]:
    """The UTC instants where the centre's `first_day` begins and the day after `last_day` begins."""
    return (
        datetime.combine(first_day, time.min, centre.zone),
        datetime.combine(last_day + timedelta(days=1), time.min, centre.zone),
    )


def day_slots(session: Session, centre: Centre, day: date) -> list[Slot]:
    start, end = day_bounds(centre, day, day)
    return list(
        session.scalars(
            select(Slot)
            .where(Slot.centre_id == centre.id, Slot.starts_at >= start, Slot.starts_at < end)
            .order_by(Slot.starts_at, Slot.exam_type, Slot.category)
        )
    )


def set_capacity(acting: Acting, slot: Slot, capacity: int) -> int:
    """Give a slot `capacity` places; never fewer than are taken. Returns the previous capacity.

    One conditional UPDATE (`booked <= capacity`) decides, so a hold taken at the same moment either
    counts against the new capacity or waits for it: the slot is never oversold. Added places go to
    the waitlist first."""
    session, now, policy = acting.session, acting.now, acting.policy
    if capacity < 1:
        raise FieldErrors({"capacity": [_l("A time needs at least one place.")]})
    expire_holds(session, now, policy, Booking.slot_id == slot.id)  # expired holds take no place
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
        offer_to_waitlist(session, slot, now, policy, places=capacity - previous)
    audit(acting, "capacity-changed", slot, details={"from": previous, "to": capacity})
    return previous


def block_slot(acting: Acting, slot: Slot, reason: str, *, audited: bool = True) -> list[Booking]:
    """Close a slot (breakdown, examiner ill): nobody can book it any more, its bookings and holds are
    cancelled, each applicant gets a "slot-blocked" message and a priority rebooking (the flag on
    the cancelled booking; see eligibility). Returns the cancelled bookings. A closure or a blocked
    day logs itself once for all its slots (`audited=False` here)."""
    session, now, policy = acting.session, acting.now, acting.policy
    if slot.ends_at <= now:
        raise DomainError(_l("This exam is over: it cannot be blocked."), code="slot-over", status=409)
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
    expire_holds(session, now, policy, Booking.slot_id == slot.id)
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
        notify_applicant(session, booking, "slot-blocked", reason=reason)
    if affected:
        free_place(session, slot.id, len(affected))
    if audited:
        audit(acting, "slot-blocked", slot, details={"reason": reason, "cancelled": len(affected)})
    return affected


def _live_in(slot: Slot) -> tuple[ColumnElement[bool], ...]:
    return Booking.slot_id == slot.id, Booking.status.in_(ACTIVE_STATUSES)


def blockable(session: Session, centre: Centre, day: date, now: datetime) -> list[Slot]:
    """The times of the day that blocking the day closes: neither over nor blocked yet."""
    return [slot for slot in day_slots(session, centre, day) if slot.blocked_at is None and slot.ends_at > now]


def live_bookings(session: Session, slot_ids: list[int]) -> int:
    """How many bookings (holds and confirmed) blocking these times would cancel and notify."""
    if not slot_ids:
        return 0
    return session.scalar(
        select(func.count(Booking.id)).where(Booking.slot_id.in_(slot_ids), Booking.status.in_(ACTIVE_STATUSES))
    )


def block_day(acting: Acting, centre: Centre, day: date, reason: str) -> tuple[int, int]:
    """Block every time of the day that is not over or blocked yet; returns (times, bookings cancelled)."""
    slots = blockable(acting.session, centre, day, acting.now)
    if not slots:
        raise DomainError(_l("This day has no exam times left to block."), code="nothing-to-block", status=409)
    cancelled = sum(len(block_slot(acting, slot, reason, audited=False)) for slot in slots)
    audit(
        acting,
        "day-blocked",
        centre,
        part=day.isoformat(),
        details={"reason": " ".join(reason.split()), "slots": len(slots), "cancelled": cancelled},
    )
    return len(slots), cancelled
