"""Queueing messages in the caller's transaction. (Many messages about bookings at once:
app.booking.messages.)"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.core.clock import utcnow
from app.core.database import insert_for, is_postgresql, unnest_rows
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
    or, when `key` is given (messages not about a booking), if a message with that key exists."""
    _insert(
        session,
        key,
        kind=kind,
        user_id=user.id,
        booking_id=booking.id if booking else None,
        payload=payload,
        due_at=due_at,
    )


def queue_booking_messages(session: Session, kind: str, messages: list[tuple[int, int, dict[str, Any]]]) -> None:
    """`queue_message` for many bookings at once ((user id, booking id, payload)), in one statement
    whatever their number; as there, a booking that has a message of this kind gets none again."""
    rows = [
        {"kind": kind, "user_id": user_id, "booking_id": booking_id, "payload": payload}
        for user_id, booking_id, payload in messages
    ]
    queue_messages(session, rows, once_per="booking")


_MESSAGE_COLUMNS = {
    "kind": "text",
    "user_id": "integer",
    "booking_id": "integer",
    "payload": "integer",  # the index of its text in :payloads (a few texts for thousands of rows)
    "dedupe_key": "text",
}


def queue_messages(session: Session, rows: list[dict[str, Any]], *, once_per: str) -> None:
    """Many messages (kind, user_id, booking_id, payload, dedupe_key) in one statement, each queued
    once: per booking and kind (`once_per="booking"`) or per `dedupe_key` (`once_per="key"`)."""
    if not rows:
        return
    now, request_id = utcnow(), current_request_id()
    if once_per == "booking":
        conflict = {"index_elements": ["booking_id", "kind"], "index_where": text("booking_id IS NOT NULL")}
        conflict_sql = "(booking_id, kind) WHERE booking_id IS NOT NULL"
    else:
        conflict, conflict_sql = {"index_elements": ["dedupe_key"]}, "(dedupe_key)"
    if is_postgresql(session):
        texts: dict[str, int] = {}
        indexed = [row | {"payload": texts.setdefault(json.dumps(row["payload"]), len(texts) + 1)} for row in rows]
        source, arrays = unnest_rows(_MESSAGE_COLUMNS, indexed)
        statement = f"""
            INSERT INTO outbox_message (kind, user_id, booking_id, payload, dedupe_key, status, created_at,
                                        due_at, request_id)
            SELECT v.kind, v.user_id, v.booking_id, CAST((CAST(:payloads AS text[]))[v.payload] AS json),
                   v.dedupe_key, 'pending', :now, :now, :request_id
            FROM {source}
            ON CONFLICT {conflict_sql} DO NOTHING
        """  # noqa: S608  (no value in the text: the source's columns and parameters are our own)
        parameters = {"payloads": list(texts), "now": now, "request_id": request_id}
        session.execute(text(statement), arrays | parameters)
        return
    defaults = {"booking_id": None, "dedupe_key": None, "status": "pending", "created_at": now, "due_at": now}
    statement = insert_for(session, OutboxMessage).on_conflict_do_nothing(**conflict)
    session.execute(statement, [defaults | {"request_id": request_id} | row for row in rows])


def queue_message_to_address(
    session: Session, *, kind: str, email: str, language: str | None, payload: dict[str, Any], key: str | None = None
) -> None:
    """Add a message for an address that has no account (yet): the link confirming a registration.
    It goes by e-mail only, in `language`, and never shows in anybody's in-app list."""
    _insert(session, key, kind=kind, user_id=None, to_email=email, language=language, payload=payload)


def _insert(session: Session, key: str | None, *, due_at: datetime | None = None, **values: Any) -> None:
    """`INSERT … ON CONFLICT DO NOTHING` rather than look-then-insert: two transactions queueing the
    same message at once cannot both succeed, and neither fails."""
    now = utcnow()
    statement = insert_for(session, OutboxMessage).values(
        status="pending",
        created_at=now,
        due_at=due_at or now,
        dedupe_key=key,
        request_id=current_request_id(),
        **values,
    )
    if key is not None:
        statement = statement.on_conflict_do_nothing(index_elements=["dedupe_key"])
    elif values.get("booking_id") is not None:
        statement = statement.on_conflict_do_nothing(
            index_elements=["booking_id", "kind"], index_where=text("booking_id IS NOT NULL")
        )
    session.execute(statement)
