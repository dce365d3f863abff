"""What centre staff change on a slot or a booking: capacity, blocking, exam results."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from app.booking.eligibility import Policy
from app.booking.expiry import expire_holds
from app.booking.models import ACTIVE_STATUSES, Booking, BookingStatus, Slot
from app.booking.places import free_place, notify_applicant, record_event
from app.booking.waitlist import offer_to_waitlist
from app.core.errors import DomainError, FieldErrors
from app.core.locking import lock


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
    notify_applicant(session, booking, "exam-result", passed=passed, score=score, penalty_points=penalty_points)
    return booking


def set_capacity(session: Session, slot: Slot, capacity: int, now: datetime, policy: Policy) -> int:
    """Give a slot `capacity` places; never fewer than are taken. Returns the previous capacity.

    One conditional UPDATE (`booked <= capacity`) decides, so a hold taken at the same moment either
    counts against the new capacity or waits for it: the slot is never oversold. Added places go to
    the waitlist first."""
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
    return affected


def _live_in(slot: Slot) -> tuple[ColumnElement[bool], ...]:
    return Booking.slot_id == slot.id, Booking.status.in_(ACTIVE_STATUSES)
