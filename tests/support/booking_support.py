"""Helpers for the booking tests: a frozen clock, slots, services run like a view would, and the
invariants every state of the bookings must keep."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.auth.models import User
from app.booking import availability, holds
from app.booking.eligibility import Policy
from app.booking.models import ACTIVE_STATUSES, Booking, BookingEvent, BookingStatus, Slot
from app.centres.models import Centre
from app.core import clock
from app.extensions import db
from app.notify.models import OutboxMessage

ALMATY = ZoneInfo("Asia/Almaty")
# Tuesday 1 December 2026, 09:00 in Almaty (UTC+5).
NOW = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
POLICY = Policy()


def freeze(moment: datetime) -> None:
    clock.set_clock(lambda: moment)


def local(year: int, month: int, day: int, hour: int = 9, zone: ZoneInfo = ALMATY) -> datetime:
    return datetime(year, month, day, hour, tzinfo=zone)


def make_slot(
    app,
    *,
    starts: datetime | None = None,
    exam: str = "theory",
    category: str = "B",
    capacity: int = 20,
    centre_code: str = "ALM",
    minutes: int = 60,
) -> int:
    """A slot (by default Thursday 3 December 2026, 09:00 in Almaty); returns its id."""
    starts = starts or local(2026, 12, 3)
    with app.app_context():
        centre = db.session.scalar(sa.select(Centre).where(Centre.code == centre_code))
        slot = Slot(
            centre=centre,
            exam_type=exam,
            category=category,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=minutes),
            capacity=capacity,
        )
        db.session.add(slot)
        db.session.commit()
        return slot.id


def add_applicants(app, count: int, language: str = "en", first: int = 0) -> list[int]:
    """Applicants who never sign in (no password to hash: quick in numbers); returns their ids.
    `first`: the number of the first (another batch in the same test starts past the last one)."""
    with app.app_context():
        people = [
            User(
                email=f"applicant{number}@example.kz",
                password_hash="-",
                full_name=f"Applicant {number}",
                iin=f"95020140{number:04d}",
                language=language,
            )
            for number in range(first, first + count)
        ]
        db.session.add_all(people)
        db.session.commit()
        return [person.id for person in people]


def run(app, operation, *args, **kwargs):
    """Run a service inside a transaction that commits, like a view; returns a plain value."""
    with app.app_context():
        try:
            result = operation(db.session, *args, **kwargs)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        return result.id if hasattr(result, "id") else result


def hold(app, user_id: int, slot_id: int, now: datetime = NOW, policy: Policy = POLICY) -> int:
    def operation(session):
        return holds.hold_place(session, session.get(User, user_id), slot_id, now, policy)

    return run(app, operation)


def confirm(app, booking_id: int, now: datetime = NOW, fee_receipt: str = "KZ-2026-000123") -> int:
    def operation(session):
        return holds.confirm(
            session, session.get(Booking, booking_id), now, consent_personal_data=True, fee_receipt=fee_receipt
        )

    return run(app, operation)


def book(app, user_id: int, slot_id: int, now: datetime = NOW) -> int:
    """A confirmed booking."""
    return confirm(app, hold(app, user_id, slot_id, now), now)


def booking_state(app, booking_id: int) -> dict:
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        return {
            "status": booking.status,
            "slot_id": booking.slot_id,
            "ticket": booking.ticket,
            "ics_sequence": booking.ics_sequence,
            "reschedule_count": booking.reschedule_count,
            "hold_expires_at": booking.hold_expires_at,
            "events": [event.action for event in booking.events],
        }


def slot_booked(app, slot_id: int) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Slot.booked).where(Slot.id == slot_id))


def available(app, slot_id: int, now: datetime = NOW) -> int:
    with app.app_context():
        return availability.slot_with_availability(db.session, slot_id, now).available


def expected_messages(events: list[str]) -> list[str]:
    """The outbox kinds a booking's history calls for (holds themselves send nothing)."""
    kinds, confirmed, moves = [], False, 0
    for action in events:
        if action == "confirmed":
            confirmed = True
            kinds.append("confirmation")
        elif action == "expired":
            kinds.append("hold-expired")
        elif action == "blocked":
            kinds.append("slot-blocked")
        elif action == "cancelled" and confirmed:
            kinds.append("cancellation")
        elif action == "rescheduled":
            moves += 1
            if confirmed:
                kinds.append(f"rescheduled-{moves}")
    return kinds


def assert_booking_invariants(session) -> None:
    """No change half-applied, whatever happened: no slot has more places taken than its capacity
    and its counter agrees with its active bookings, nobody has two active bookings of one exam
    type, tickets are unique, every booking's history starts with its hold, and every state change
    in it has its outbox message."""
    for slot in session.scalars(sa.select(Slot)):
        taken = session.scalar(
            sa.select(sa.func.count())
            .select_from(Booking)
            .where(Booking.slot_id == slot.id, Booking.status.in_(ACTIVE_STATUSES))
        )
        assert slot.booked == taken <= slot.capacity, f"slot {slot.id}: counter {slot.booked}, {taken} active"

    pairs = session.execute(
        sa.select(Booking.user_id, Booking.exam_type).where(Booking.status.in_(ACTIVE_STATUSES))
    ).all()
    assert max(Counter(pairs).values(), default=0) <= 1

    tickets = session.scalars(sa.select(Booking.ticket).where(Booking.ticket.is_not(None))).all()
    assert len(tickets) == len(set(tickets))

    history: dict[int, list[str]] = {booking_id: [] for booking_id in session.scalars(sa.select(Booking.id))}
    for booking_id, action in session.execute(
        sa.select(BookingEvent.booking_id, BookingEvent.action).order_by(BookingEvent.id)
    ):
        history[booking_id].append(action)
    # A hold that ran out has its "expired" step from the booking itself, not from a row (Booking.events).
    for booking_id in session.scalars(sa.select(Booking.id).where(Booking.status == BookingStatus.EXPIRED)):
        assert "expired" not in history[booking_id], f"booking {booking_id}: an expiry row was written"
        history[booking_id].append("expired")
    assert all(events[:1] == ["held"] for events in history.values()), history
    sent = Counter(session.execute(sa.select(OutboxMessage.booking_id, OutboxMessage.kind)).tuples().all())
    expected = Counter(
        (booking_id, kind) for booking_id, events in history.items() for kind in expected_messages(events)
    )
    assert expected == sent
