"""Queueing messages in the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.auth.models import User
from app.booking.models import Booking
from app.core.clock import utcnow
from app.core.database import insert_for
from app.notify.models import OutboxMessage
from app.ops.logs import current_request_id


def queue_message(
    session: Session,
    *,
    kind: str,
    user: User,
    booking: Booking | None = None,
    payload: dict[str, Any],
    due_at: datetime | None = None,
    key: str | None = None,
) -> None:
    """Add a message to the outbox; nothing happens if this booking already has one of this kind,
    or, when `key` is given (messages not about a booking), if a message with that key exists.

    `INSERT … ON CONFLICT DO NOTHING` rather than look-then-insert: two transactions queueing the
    same message at once cannot both succeed, and neither fails.
    """
    now = utcnow()
    statement = insert_for(session, OutboxMessage).values(
        kind=kind,
        user_id=user.id,
        booking_id=booking.id if booking is not None else None,
        payload=payload,
        status="pending",
        created_at=now,
        due_at=due_at or now,
        dedupe_key=key,
        request_id=current_request_id(),
    )
    if key is not None:
        statement = statement.on_conflict_do_nothing(index_elements=["dedupe_key"])
    elif booking is not None:
        statement = statement.on_conflict_do_nothing(
            index_elements=["booking_id", "kind"], index_where=text("booking_id IS NOT NULL")
        )
    session.execute(statement)


def queue_messages(session: Session, *, kind: str, recipients: list[tuple[int, int]]) -> None:
    """Queue one message of `kind` per (booking id, user id) in one executemany, skipping bookings
    that already have one (for set-based jobs that touch thousands of bookings at once)."""
    if not recipients:
        return
    now, request_id = utcnow(), current_request_id()
    statement = insert_for(session, OutboxMessage).on_conflict_do_nothing(
        index_elements=["booking_id", "kind"], index_where=text("booking_id IS NOT NULL")
    )
    session.execute(
        statement,
        [
            {
                "kind": kind,
                "booking_id": booking_id,
                "user_id": user_id,
                "payload": {},
                "status": "pending",
                "created_at": now,
                "due_at": now,
                "attempts": 0,
                "request_id": request_id,
            }
            for booking_id, user_id in recipients
        ],
    )
