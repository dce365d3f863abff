"""Helpers for the booking tests: a frozen clock, slots, and services run like a view would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.auth.models import User
from app.booking import services
from app.booking.eligibility import Policy
from app.booking.models import Booking, Centre, Slot
from app.core import clock
from app.extensions import db

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
        return services.hold_place(session, session.get(User, user_id), slot_id, now, policy)

    return run(app, operation)


def confirm(app, booking_id: int, now: datetime = NOW, fee_receipt: str = "KZ-2026-000123") -> int:
    def operation(session):
        return services.confirm(
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
        return services.slot_with_availability(db.session, slot_id, now).available
