"""Queueing messages in the caller's transaction. (Many messages about bookings at once:
app.booking.messages.)"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.core.clock import utcnow
from app.core.database import insert_for
from app.core.request_ids import current_request_id

if TYPE_CHECKING:
    from app.auth.models import User
    from app.booking.models import Booking
from app.notify.models import OutboxMessage


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
