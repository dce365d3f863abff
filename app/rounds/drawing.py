"""The draw of a round: once, however many schedulers or commands start it at the same moment.

The round row is locked (`SELECT … FOR UPDATE`; SQLite's write lock from BEGIN IMMEDIATE) and its
status checked after the lock, so a second draw waits and then finds it drawn. In one transaction
the draw releases the slots, checks every request against the booking rules again, runs the
lottery (`lottery.allocate`), gives each winner a hold awaiting confirmation (longer than usual:
`ROUND_HOLD_HOURS`) and queues a message to everyone; the places nobody won go to the slots'
waitlists and then to first come, first served.
"""

from __future__ import annotations

import gc
import json
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from app.booking.eligibility import BookingFacts, Policy, has_priority, refusal_to_book
from app.booking.models import Booking, Slot
from app.booking.places import booking_facts, create_holds, notify_holders, slot_facts
from app.booking.waitlist import offer_to_waitlist
from app.core.database import is_postgresql, unnest_rows
from app.core.errors import DomainError
from app.core.locking import lock
from app.notify.services import queue_messages
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


@dataclass
class _Request:
    """A request as the draw reads and writes it: plain values, written back in one statement."""

    id: int
    user_id: int
    token: str
    choices: list[int]
    outcome: str | None = None
    reason: str | None = None


def _eligibility(slots: dict[int, Slot], now: datetime, policy: Policy):
    """`refusal_to_book` per (history, slot), with each slot's facts read once and, for the many
    requesters who never booked, each slot's answer computed once (it depends on nothing else)."""
    facts = {slot_id: slot_facts(slot) for slot_id, slot in slots.items()}
    fresh = {slot_id: refusal_to_book(slot, [], now, policy) for slot_id, slot in facts.items()}

    def refusal(slot_id: int, history: list[BookingFacts]):
        return refusal_to_book(facts[slot_id], history, now, policy) if history else fresh[slot_id]

    return refusal


def _entry(request: _Request, exam_type: str, history: list[BookingFacts], groups, slots: dict[int, Slot], refusal):
    """The request as the lottery sees it, with the choices the rules still allow; or the reason none is.

    A "day and part of day" choice stays as it is when the rules allow all its slots; when they allow
    only some, those slots take its place in the same order (the same choice, as the lottery reads
    it), so that what is published is exactly what the lottery used."""
    allowed: list[lottery.Choice] = []
    reason = "no-choice-left"
    for choice in map(lottery.parse_choice, request.choices):
        candidates = groups.get(choice, ()) if isinstance(choice, lottery.DayPart) else (choice,)
        passing = []
        for slot_id in candidates:
            if slot_id not in slots:
                continue  # no longer in the round
            refused = refusal(slot_id, history)
            if refused is None:
                passing.append(slot_id)
            elif reason == "no-choice-left":
                reason = refused.reason
        if isinstance(choice, lottery.DayPart) and passing and len(passing) == len(candidates):
            allowed.append(choice)
        else:
            allowed += [slot_id for slot_id in passing if slot_id not in allowed]
    if not allowed:
        return None, reason
    return lottery.Entry(request.token, tuple(allowed), has_priority(exam_type, history)), None


def draw(session: Session, release: ReleaseRound, now: datetime, policy: Policy, hold_ttl: timedelta):
    """Draw the round; None when it was drawn (or cancelled) already."""
    lock(session, release)
    if release.status != RoundStatus.ANNOUNCED:
        return None
    if now < release.draw_at:
        raise DomainError(_l("The draw of this round is not due yet."), code="round-not-due", status=409)
    # Everything below writes set-based and reads nothing it wrote: no flush in between.
    with session.no_autoflush, _cyclic_gc_paused():
        return _draw(session, release, now, policy, hold_ttl)


@contextmanager
def _cyclic_gc_paused():
    """The draw makes some 100 000 short-lived objects (requests, entries, rows) and no cycles;
    each of the collector's full passes over a big process's heap then cost as much as the draw
    itself (half of the second measured for 10 000 requests). Reference counting still frees
    everything; the collector resumes at the end (unless something else had paused it)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _draw(session: Session, release: ReleaseRound, now: datetime, policy: Policy, hold_ttl: timedelta):
    slots = {
        slot.id: slot
        for slot in session.scalars(
            select(Slot).where(Slot.round_id == release.id).order_by(Slot.id).with_for_update(of=Slot)
        )
    }
    places = _places(list(slots.values()), now)
    starts = {slot_id: release.centre.local(slot.starts_at) for slot_id, slot in slots.items()}
    groups = lottery.day_parts(starts)
    release_slots(session, release)
    for slot in slots.values():
        session.expire(slot, ["round_id", "booked"])
    # Plain rows, not objects: 10 000 requests cost one query and one UPDATE, not 10 000 flushes.
    requests = [
        _Request(*row)
        for row in session.execute(
            select(RoundRequest.id, RoundRequest.user_id, RoundRequest.token, RoundRequest.choices)
            .where(RoundRequest.round_id == release.id)
            .order_by(RoundRequest.id)
        )
    ]
    histories, refusal = _histories(session, release), _eligibility(slots, now, policy)
    by_token, entries, changes = {}, [], {}
    for request in requests:
        entry, reason = _entry(request, release.exam_type, histories[request.user_id], groups, slots, refusal)
        by_token[request.token] = request
        if entry is None:
            request.outcome, request.reason = Outcome.INELIGIBLE.value, reason
            changes[request.id] = {"id": request.id, "outcome": request.outcome, "outcome_reason": reason}
            continue
        # What is published is what the lottery used: the allowed choices and the priority.
        choices = [lottery.stored_choice(choice) for choice in entry.choices]
        changes[request.id] = {"id": request.id, "choices": choices, "priority": entry.priority}
        entries.append(entry)
    free, winners = dict(places), []
    for allocation in lottery.allocate(release.seed, entries, places, groups):
        request = by_token[allocation.token]
        request.outcome = Outcome.LOST.value if allocation.slot_id is None else Outcome.WON.value
        changes[request.id] |= {
            "position": allocation.position,
            "outcome": request.outcome,
            "slot_id": None,
            "booking_id": None,
        }
        if allocation.slot_id is not None:
            free[allocation.slot_id] -= 1
            winners.append((request, slots[allocation.slot_id]))
    _give_holds(session, release, winners, changes, now, hold_ttl)
    _write_requests(session, list(changes.values()))
    for slot_id, left in free.items():
        if left > 0:
            offer_to_waitlist(session, slots[slot_id], now, policy, places=left)
    _queue_round_messages(session, release, requests)
    release.status, release.drawn_at = RoundStatus.DRAWN.value, now
    release.places = {str(slot_id): count for slot_id, count in places.items()}
    release.slot_starts = {str(slot_id): start.isoformat() for slot_id, start in starts.items()}
    won = len(winners)
    return DrawSummary(release.id, won, len(entries) - won, len(requests) - len(entries), sum(free.values()))


def _give_holds(session: Session, release: ReleaseRound, winners, changes: dict, now: datetime, hold_ttl: timedelta):
    """Each winner's hold and its "round-won" message, all of them in a few statements."""
    booking_ids = create_holds(session, [(request.user_id, slot) for request, slot in winners], now, hold_ttl)
    holds = []
    for booking_id, (request, slot) in zip(booking_ids, winners, strict=True):
        changes[request.id] |= {"slot_id": slot.id, "booking_id": booking_id}
        holds.append((booking_id, request.user_id, slot))
    notify_holders(session, holds, now + hold_ttl, "round-won", round_id=release.id)


_REQUEST_COLUMNS = {
    "id": "integer",
    "choices": "text",
    "priority": "boolean",
    "position": "integer",
    "outcome": "text",
    "outcome_reason": "text",
    "slot_id": "integer",
    "booking_id": "integer",
}


def _write_requests(session: Session, changes: list[dict]) -> None:
    """The outcomes in one statement; a column a row does not set keeps its value. Requests loaded
    in this session before are expired so that they read what was written."""
    if changes and is_postgresql(session):
        rows = [row | {"choices": json.dumps(row["choices"]) if "choices" in row else None} for row in changes]
        source, arrays = unnest_rows(_REQUEST_COLUMNS, rows)
        keep = ("priority", "position", "outcome_reason", "slot_id", "booking_id")
        statement = f"""
            UPDATE round_request AS r
            SET choices = COALESCE(CAST(v.choices AS json), r.choices), outcome = v.outcome,
                {", ".join(f"{name} = COALESCE(v.{name}, r.{name})" for name in keep)}
            FROM {source}
            WHERE r.id = v.id
        """  # noqa: S608  (no value in the text: the columns are our own)
        session.execute(text(statement), arrays)
    elif changes:
        # An executemany by primary key; rows of one shape must follow each other (each change of
        # shape starts another executemany).
        changes = sorted(changes, key=len)
        session.execute(update(RoundRequest).execution_options(synchronize_session=False), changes)
    for instance in list(session.identity_map.values()):
        if isinstance(instance, RoundRequest):
            session.expire(instance)


def _queue_round_messages(session: Session, release: ReleaseRound, requests: list[_Request]) -> None:
    """One message per request that won no place, in one statement whatever their number (a round
    may have thousands); the key makes a second draw's attempt queue nothing twice."""
    round_id, centre = release.id, release.centre.code
    rows = [
        {
            "kind": f"round-{request.outcome}",
            "user_id": request.user_id,
            "payload": {"round_id": round_id, "centre": centre, "reason": request.reason},
            "dedupe_key": f"round-{request.outcome}:{request.id}",
        }
        for request in requests
        if request.outcome in (Outcome.LOST, Outcome.INELIGIBLE)
    ]
    queue_messages(session, rows, once_per="key")


def due_round_ids(session: Session, now: datetime) -> list[int]:
    return list(
        session.scalars(
            select(ReleaseRound.id)
            .where(ReleaseRound.status == RoundStatus.ANNOUNCED, ReleaseRound.draw_at <= now)
            .order_by(ReleaseRound.draw_at, ReleaseRound.id)
        )
    )
