"""Waiting for a place on a full day or in one full slot, and offering freed places in order."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth.models import User
from app.booking.availability import slot_with_availability
from app.booking.eligibility import Policy, refusal_to_book
from app.booking.models import Slot, WaitlistEntry, WaitlistStatus
from app.booking.places import NotEligible, booking_history, create_hold, notify_applicant, slot_facts, slot_in_round
from app.core.errors import DomainError
from app.core.locking import lock


def join_waitlist(
    session: Session, user: User, slot_id: int, now: datetime, policy: Policy, *, whole_day: bool
) -> WaitlistEntry:
    """Wait for a place in a full slot, or (`whole_day`) at any time of that slot's day."""
    found = slot_with_availability(session, slot_id, now)
    if found is None:
        raise DomainError(_l("There is no such exam time."), code="slot-not-found", status=404)
    slot = found.slot
    if slot.held_for_release:
        raise slot_in_round()  # no queue ahead of a lottery: everyone has the same chance in it
    if found.available > 0 and slot.blocked_at is None:
        raise DomainError(_l("This time still has free places: book one instead."), code="slot-has-places")
    if refusal := refusal_to_book(slot_facts(slot), booking_history(session, user.id), now, policy):
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


def own_waiting_entry(session: Session, user: User, entry_id: int) -> WaitlistEntry | None:
    """The user's entry while it waits (anything else is as good as absent)."""
    entry = session.get(WaitlistEntry, entry_id)
    if entry is None or entry.user_id != user.id or entry.status != WaitlistStatus.WAITING:
        return None
    return entry


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


def offer_to_waitlist(session: Session, slot: Slot, now: datetime, policy: Policy, places: int = 1) -> None:
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
        if refusal_to_book(slot_facts(slot), booking_history(session, entry.user_id), now, policy) is not None:
            continue  # not allowed now (e.g. holding another place): the next in line gets it
        user = session.get(User, entry.user_id)
        try:
            booking = create_hold(session, user, slot, now, policy.waitlist_hold_ttl)
        except DomainError as error:
            if error.code == "slot-full":
                return
            continue
        entry.status = WaitlistStatus.OFFERED.value
        entry.offered_booking_id = booking.id
        notify_applicant(session, booking, "waitlist-offer")
        places -= 1
