"""Applicants' bookings: a hold on a place, its confirmation with a ticket, moves and
cancellations. Every operation that needs a place first releases the expired holds in its way.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.booking.eligibility import Policy, refusal_to_book, refusal_to_cancel, refusal_to_move
from app.booking.expiry import expire_holds
from app.booking.models import ACTIVE_STATUSES, Booking, BookingStatus, ExamType, Slot, TicketSequence
from app.booking.places import (
    NotEligible,
    booking_facts,
    booking_history,
    create_hold,
    free_place,
    notify_applicant,
    record_event,
    slot_facts,
    take_place,
)
from app.booking.waitlist import offer_to_waitlist
from app.core.database import insert_for
from app.core.errors import DomainError, FieldErrors
from app.core.locking import lock

FEE_RECEIPT = re.compile(r"[A-Za-z0-9][A-Za-z0-9/-]{3,39}")


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
    expire_holds(session, now, policy, or_(Booking.slot_id == slot.id, Booking.user_id == user.id))
    if refusal := refusal_to_book(slot_facts(slot), booking_history(session, user.id), now, policy):
        raise NotEligible(refusal)
    return create_hold(session, user, slot, now, policy.hold_ttl)


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
    notify_applicant(session, booking, "confirmation")
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
    free_place(session, booking.slot_id)
    record_event(booking, "cancelled", now)
    if was_confirmed:
        notify_applicant(session, booking, "cancellation")
    offer_to_waitlist(session, booking.slot, now, policy)
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
    expire_holds(session, now, policy, Booking.slot_id == new_slot.id)
    history = booking_history(session, booking.user_id)
    if refusal := refusal_to_move(booking_facts(booking), slot_facts(new_slot), history, now, policy):
        raise NotEligible(refusal)
    take_place(session, new_slot)
    free_place(session, old_slot.id)
    booking.slot = new_slot
    booking.reschedule_count += 1
    if booking.status == BookingStatus.CONFIRMED:
        booking.ticket = _issue_ticket(session, new_slot)
        booking.ics_sequence += 1
        notify_applicant(session, booking, f"rescheduled-{booking.reschedule_count}")
    record_event(booking, "rescheduled", now)
    offer_to_waitlist(session, old_slot, now, policy)
    return booking
