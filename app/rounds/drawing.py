"""The draw of a round: once, however many schedulers or commands start it at the same moment.

The round row is locked (`SELECT … FOR UPDATE`; SQLite's write lock from BEGIN IMMEDIATE) and its
status checked after the lock, so a second draw waits and then finds it drawn. In one transaction
the draw releases the slots, checks every request against the booking rules again, runs the
lottery (`lottery.allocate`), gives each winner a hold awaiting confirmation (longer than usual:
`ROUND_HOLD_HOURS`) and queues a message to everyone; the places nobody won go to the slots'
waitlists and then to first come, first served.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.booking.eligibility import BookingFacts, Policy, has_priority, refusal_to_book
from app.booking.models import Booking, Slot
from app.booking.places import booking_facts, create_hold, notify_applicant, slot_facts
from app.booking.waitlist import offer_to_waitlist
from app.core.database import insert_for
from app.core.errors import DomainError
from app.core.locking import lock
from app.core.request_ids import current_request_id
from app.notify.models import OutboxMessage
from app.rounds import lottery
from app.rounds.announcing import release_slots
from app.rounds.models import Outcome, ReleaseRound, RoundRequest, RoundStatus


@dataclass(frozen=True)
class DrawSummary:
    round_id: int
    won: int
    lost: int
    ineligible: int
    leftover: int


def _places(slots: list[Slot], now: datetime) -> dict[int, int]:
    """The free places each slot gives to the lottery (none in a slot blocked or begun meanwhile)."""
    return {
        slot.id: 0 if slot.blocked_at is not None or slot.starts_at <= now else max(0, slot.capacity - slot.booked)
        for slot in slots
    }


def _histories(session: Session, release: ReleaseRound) -> dict[int, list[BookingFacts]]:
    """Every requester's bookings, in one query (not one per request: a round may have thousands)."""
    requesters = select(RoundRequest.user_id).where(RoundRequest.round_id == release.id)
    histories: dict[int, list[BookingFacts]] = defaultdict(list)
    for booking in session.scalars(select(Booking).where(Booking.user_id.in_(requesters))):
        histories[booking.user_id].append(booking_facts(booking))
    return histories


def _entry(request: RoundRequest, history: list[BookingFacts], slots: dict[int, Slot], now: datetime, policy: Policy):
    """The request as the lottery sees it, with the choices the rules still allow; or the reason none is."""
    allowed, reason = [], "no-choice-left"
    for slot_id in request.choices:
        slot = slots.get(slot_id)
        refusal = refusal_to_book(slot_facts(slot), history, now, policy) if slot is not None else None
        if slot is not None and refusal is None:
            allowed.append(slot_id)
        elif refusal is not None and reason == "no-choice-left":
            reason = refusal.reason
    if not allowed:
        return None, reason
    return lottery.Entry(request.token, tuple(allowed), has_priority(request.round.exam_type, history)), None


def draw(session: Session, release: ReleaseRound, now: datetime, policy: Policy, hold_ttl: timedelta):
    """Draw the round; None when it was drawn (or cancelled) already."""
    lock(session, release)
    if release.status != RoundStatus.ANNOUNCED:
        return None
    if now < release.draw_at:
        raise DomainError(_l("The draw of this round is not due yet."), code="round-not-due", status=409)
    slots = {
        slot.id: slot
        for slot in session.scalars(
            select(Slot).where(Slot.round_id == release.id).order_by(Slot.id).with_for_update(of=Slot)
        )
    }
    places = _places(list(slots.values()), now)
    release_slots(session, release)
    for slot in slots.values():
        session.expire(slot, ["round_id", "booked"])
    # The people in one more query (their messages need them), not one per request.
    requests = list(
        session.scalars(
            select(RoundRequest).where(RoundRequest.round_id == release.id).options(selectinload(RoundRequest.user))
        )
    )
    histories = _histories(session, release)
    by_token, entries, ineligible = {}, [], 0
    for request in requests:
        entry, reason = _entry(request, histories[request.user_id], slots, now, policy)
        by_token[request.token] = request
        if entry is None:
            request.outcome, request.outcome_reason, ineligible = Outcome.INELIGIBLE.value, reason, ineligible + 1
            continue
        # What is published is what the lottery used: the allowed choices and the priority.
        request.choices, request.priority = list(entry.choices), entry.priority
        entries.append(entry)
    free, won = dict(places), 0
    for allocation in lottery.allocate(release.seed, entries, places):
        request = by_token[allocation.token]
        request.position = allocation.position
        if allocation.slot_id is None:
            request.outcome = Outcome.LOST.value
            continue
        request.outcome, request.slot_id = Outcome.WON.value, allocation.slot_id
        free[allocation.slot_id] -= 1
        won += 1
        booking = create_hold(session, request.user, slots[allocation.slot_id], now, hold_ttl)
        request.booking_id = booking.id
        notify_applicant(session, booking, "round-won", round_id=release.id)
    for slot_id, left in free.items():
        if left > 0:
            offer_to_waitlist(session, slots[slot_id], now, policy, places=left)
    _queue_round_messages(session, release, requests, now)
    release.status, release.drawn_at = RoundStatus.DRAWN.value, now
    release.places = {str(slot_id): count for slot_id, count in places.items()}
    return DrawSummary(release.id, won, len(entries) - won, ineligible, sum(free.values()))


def _queue_round_messages(session: Session, release: ReleaseRound, requests: list[RoundRequest], now: datetime) -> None:
    """One message per request that won no place, in one statement whatever their number (a round
    may have thousands); the key makes a second draw's attempt queue nothing twice."""
    rows = [
        {
            "kind": f"round-{request.outcome}",
            "user_id": request.user_id,
            "payload": {"round_id": release.id, "centre": release.centre.code, "reason": request.outcome_reason},
            "status": "pending",
            "created_at": now,
            "due_at": now,
            "dedupe_key": f"round-{request.outcome}:{request.id}",
            "request_id": current_request_id(),
        }
        for request in requests
        if request.outcome in (Outcome.LOST, Outcome.INELIGIBLE)
    ]
    if rows:
        session.execute(insert_for(session, OutboxMessage).on_conflict_do_nothing(index_elements=["dedupe_key"]), rows)


def due_round_ids(session: Session, now: datetime) -> list[int]:
    return list(
        session.scalars(
            select(ReleaseRound.id)
            .where(ReleaseRound.status == RoundStatus.ANNOUNCED, ReleaseRound.draw_at <= now)
            .order_by(ReleaseRound.draw_at, ReleaseRound.id)
        )
    )
