"""The outbox: one row per message to send; a job sends them (the notifications feature)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import utcnow
from app.core.types import UTCDateTime
from app.extensions import db

if TYPE_CHECKING:
    from app.auth.models import User
    from app.booking.models import Booking


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
        # Serves the person's messages (newest first) and the cascade from a deleted account alike.
        Index("ix_outbox_message_user_created", "user_id", "created_at"),
        CheckConstraint("user_id IS NOT NULL OR to_email IS NOT NULL", name="has_recipient"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    # For messages about something other than a booking (an appeal, a password reset …): a key
    # naming the event, e.g. "appeal:12:referred"; unique, so it too is queued at most once.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    # No foreign keys on booking_id and user_id (migration 0023). PostgreSQL checks a foreign key
    # one inserted row at a time, a locking read of the row it names; in the hold sweep's INSERT of
    # 100 000 messages those two checks took a third of the sweep's time, and they guard nothing
    # there: the sweep has just updated (and so locked) each booking, and a booking's person cannot
    # go while it exists (booking.user_id is RESTRICT). Nothing in the app deletes a booking or an
    # account; a message whose booking or person was removed by hand is cancelled by the sender
    # (app.notify.delivery) instead of going with its row, as the ON DELETE CASCADE did.
    booking_id: Mapped[int | None] = mapped_column(Integer)
    # The account it goes to; or none, for a message to an address that has no account (yet):
    # the link that confirms a registration. Such a message goes to `to_email` in `language`.
    user_id: Mapped[int | None] = mapped_column(Integer)
    to_email: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[str | None] = mapped_column(String(2))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The request (or job run) that queued it: its log lines and the sending's share this id.
    request_id: Mapped[str | None] = mapped_column(String(100))
    # pending → sent; or → failed after the last attempt; cancelled when no longer relevant
    # (a reminder for a booking cancelled meanwhile).
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Not before: the time it is due, then the time of the next attempt after a failure.
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    # Each channel is delivered once: a retry after a failed SMS does not send the e-mail again.
    email_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sms_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    telegram_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    whatsapp_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The channels this message goes by, chosen at its first attempt from the person's choices and
    # links (app.notify.channels); a blocked bot swaps Telegram for the next channel.
    channels: Mapped[list[str] | None] = mapped_column(JSON)
    # The last error of each channel that failed, {"sms": "..."}: the status per channel.
    channel_errors: Mapped[dict[str, str] | None] = mapped_column(JSON)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # seen in the in-app list

    # Joined by the ids alone (no foreign keys, above); read-only, set through the ids.
    user: Mapped[User | None] = relationship(primaryjoin="foreign(OutboxMessage.user_id) == User.id", viewonly=True)
    booking: Mapped[Booking | None] = relationship(
        primaryjoin="foreign(OutboxMessage.booking_id) == Booking.id", viewonly=True
    )


class MessageSettings(db.Model):
    """How a person is reached besides e-mail: their Telegram chat, their WhatsApp opt-in and their
    channels per topic of message (missing topics take the defaults of app.notify.channels)."""

    __tablename__ = "message_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    # One chat per account and one account per chat: `/start` in another chat moves the link.
    telegram_chat_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    telegram_linked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # WhatsApp goes to the account's confirmed phone number, and only after the person opted in.
    whatsapp_opt_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    choices: Mapped[dict[str, list[str]] | None] = mapped_column(JSON)

    user: Mapped[User] = relationship()


class TelegramLinkToken(db.Model):
    """A `https://t.me/<bot>?start=<token>` link: only the token's SHA-256 is kept; it works once,
    for a short time, and only the server knows whose it is."""

    __tablename__ = "telegram_link_token"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
