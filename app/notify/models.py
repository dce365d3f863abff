"""The outbox: one row per message to send; a job sends them (the notifications feature)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.core.types import UTCDateTime
from app.extensions import db


class OutboxMessage(db.Model):
    """A message waiting to be sent. At most one per booking and kind (or per `dedupe_key`), so
    that retries and concurrent writers never send the same thing twice (partial index: NULLs never
    collide)."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        Index(
            "uq_outbox_message_booking_kind",
            "booking_id",
            "kind",
            unique=True,
            sqlite_where=text("booking_id IS NOT NULL"),
            postgresql_where=text("booking_id IS NOT NULL"),
        ),
        Index("ix_outbox_message_status_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    # For messages about something other than a booking (an appeal, a password reset …): a key
    # naming the event, e.g. "appeal:12:referred"; unique, so it too is queued at most once.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
