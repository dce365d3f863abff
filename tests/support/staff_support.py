"""Helpers for the staff tests: an actor, weekly templates, bookings on exam days, the outbox."""

from __future__ import annotations

from datetime import date, time, timedelta

import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.auth.models import User
from app.booking.models import Booking, Slot
from app.centres.services import find_centre
from app.core.acting import Acting
from app.extensions import db
from app.notify.models import OutboxMessage
from app.staff import rules, schedule
from tests.support.booking_support import NOW, POLICY, book, run


def actor(session, user_id: int) -> User:
    return session.get(User, user_id)


def acting(session, user_id: int, now=NOW) -> Acting:
    """The staff member or admin `user_id` acting at `now` under the tests' booking rules."""
    return Acting(session, actor(session, user_id), now, POLICY)


def make_template(app, actor_id: int, centre_code: str = "ALM", **changes) -> int:
    values = {
        "weekday": 2,  # Wednesday
        "opens_at": time(9),
        "closes_at": time(11),
        "slot_minutes": 60,
        "capacity": 5,
        "exam_type": "theory",
        "categories": ("A", "B"),
        "valid_from": date(2026, 12, 1),
        "valid_to": None,
        **changes,
    }

    def operation(session):
        centre = find_centre(session, centre_code)
        return schedule.save_template(acting(session, actor_id), centre, rules.TemplateFacts(**values))

    return run(app, operation)


def book_before(app, user_id: int, slot_id: int, days: int = 3) -> int:
    """A confirmed booking made `days` before NOW (exam-day tests need bookings made in advance)."""
    return book(app, user_id, slot_id, NOW - timedelta(days=days))


def outbox(app, kind: str | None = None) -> list[tuple[str, int | None, dict]]:
    with app.app_context():
        query = sa.select(OutboxMessage.kind, OutboxMessage.booking_id, OutboxMessage.payload).order_by(
            OutboxMessage.id
        )
        if kind:
            query = query.where(OutboxMessage.kind == kind)
        return [tuple(row) for row in db.session.execute(query)]


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


def booking_of(app, booking_id: int) -> dict:
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        return {
            "status": booking.status,
            "missing": booking.missing_documents,
            "score": booking.score,
            "penalty_points": booking.penalty_points,
            "rebook_priority": booking.rebook_priority,
            "events": [event.action for event in booking.events],
        }


def slot_of(app, slot_id: int) -> dict:
    with app.app_context():
        slot = db.session.get(Slot, slot_id)
        return {"capacity": slot.capacity, "booked": slot.booked, "blocked": slot.blocked_reason}
