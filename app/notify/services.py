"""Queueing messages in the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Insert, Select, String, literal, select, text, true
from sqlalchemy.orm import Session

from app.auth.models import User
from app.booking.models import Booking
from app.core.clock import utcnow
from app.core.database import insert_for
from app.core.request_ids import current_request_id
from app.core.types import UTCDateTime
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


def queue_booking_messages(session: Session, *, kind: str, bookings: Select, now: datetime | None = None) -> int:
    """Queue one message of `kind` per row (booking id, user id) of `bookings` in one INSERT … SELECT,
    skipping bookings that already have one; returns how many were queued.

    For set-based jobs that touch thousands of bookings at once: the statement is the same whatever
    their number. The count comes from RETURNING: psycopg reports no row count (-1) for this statement."""
    return len(session.execute(booking_messages(session, kind=kind, bookings=bookings, now=now)).all())


def booking_messages(session: Session, *, kind: str, bookings: Select, now: datetime | None = None) -> Insert:
    """The INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING id that `queue_booking_messages` runs, for
    a caller that makes it part of a statement of its own (the hold sweep's WITH on PostgreSQL).

    The payload stays empty: the content is composed at delivery from the booking and its person, in
    that person's language then (app.notify.content), so nothing per row is built here. Created and
    due `now`, by default the clock's time, as `queue_message`."""
    now = now or utcnow()
    rows = bookings.subquery()
    chosen = select(
        literal(kind),
        rows.c[0],
        rows.c[1],
        literal({}, type_=JSON),
        literal("pending"),
        literal(now, type_=UTCDateTime()),
        literal(now, type_=UTCDateTime()),
        literal(0),
        literal(current_request_id(), type_=String),
    ).where(true())  # SQLite reads "… FROM x ON CONFLICT" as a join's ON without a WHERE
    return (
        insert_for(session, OutboxMessage)
        .from_select(
            ["kind", "booking_id", "user_id", "payload", "status", "created_at", "due_at", "attempts", "request_id"],
            chosen,
        )
        .on_conflict_do_nothing(
            index_elements=["booking_id", "kind"], index_where=OutboxMessage.booking_id.is_not(None)
        )
        .returning(OutboxMessage.id)
    )
