"""Sending the outbox: each message once, with retries and exponential back-off.

The job takes due messages one at a time: the row is locked (`FOR UPDATE SKIP LOCKED` on
PostgreSQL; on SQLite every transaction holds the write lock), delivered, marked and committed
before the next. Two senders at once never take the same row; a crash loses nothing (an
uncommitted row is still pending) and channels already delivered are not sent again.

One window is at-least-once, not exactly-once: a process killed after the mail server accepted a
message (its 250) and before the commit that marks it leaves the row pending, and the next run
sends it again, with the same Message-ID. A kill before the 250 is safe: the server did not
accept the message. (tests/test_scheduler_processes.py kills the scheduler there.)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.notify.content import compose
from app.notify.kinds import kind_of
from app.notify.models import OutboxMessage
from app.notify.senders import DeliveryError, Mailer, SmsGateway

log = logging.getLogger("kezek.outbox")


class Status:
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base_seconds: int = 60
    max_seconds: int = 3600

    @classmethod
    def from_config(cls, config) -> RetryPolicy:
        return cls(
            config["OUTBOX_MAX_ATTEMPTS"], config["OUTBOX_BACKOFF_SECONDS"], config["OUTBOX_BACKOFF_MAX_SECONDS"]
        )

    def delay(self, attempts: int) -> timedelta:
        """After the n-th failed attempt: base × 2^(n-1), capped."""
        return timedelta(seconds=min(self.max_seconds, self.base_seconds * 2 ** (attempts - 1)))


@dataclass
class Channels:
    mailer: Mailer
    sms: SmsGateway | None = None


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    errors: list[str] = field(default_factory=list)


def due_message_ids(session: Session, now: datetime, limit: int = 100) -> list[int]:
    return list(
        session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.status == Status.PENDING, OutboxMessage.due_at <= now)
            .order_by(OutboxMessage.due_at, OutboxMessage.id)
            .limit(limit)
        )
    )


def _still_relevant(message: OutboxMessage) -> bool:
    """As the kind's feature sees it now (a reminder of a booking cancelled meanwhile is not)."""
    kind = kind_of(message.kind)
    return kind is None or kind.still_relevant is None or kind.still_relevant(message)


def deliver(session: Session, message_id: int, now: datetime, channels: Channels, policy: RetryPolicy) -> str | None:
    """Deliver one message if it is still pending and nobody else holds it; returns its new status.

    The caller commits right after, so the outcome of each message is kept on its own."""
    message = session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == Status.PENDING, OutboxMessage.due_at <= now)
        .with_for_update(skip_locked=True)
    )
    if message is None:
        return None
    status = _attempt(message, now, channels, policy)
    # The line carries the id of the request that queued the message (this job has its own).
    log.info("message %s (%s) %s; queued under request %s", message.id, message.kind, status, message.request_id)
    return status


def _attempt(message: OutboxMessage, now: datetime, channels: Channels, policy: RetryPolicy) -> str:
    if not _still_relevant(message):
        message.status = Status.CANCELLED
        return message.status
    try:
        email, sms = compose(message)
        if email is not None and message.email_sent_at is None:
            channels.mailer.send(email)
            message.email_sent_at = now
        if sms and channels.sms is not None and message.sms_sent_at is None:
            channels.sms.send(*sms)
            message.sms_sent_at = now
    except DeliveryError as error:
        message.attempts += 1
        message.last_error = str(error)[:1000]
        if message.attempts >= policy.max_attempts:
            message.status = Status.FAILED
        else:
            message.due_at = now + policy.delay(message.attempts)
        return message.status
    message.status = Status.SENT
    message.sent_at = now
    message.last_error = None
    return message.status


def retry_failed(session: Session, message_id: int, now: datetime) -> bool:
    """An admin sends a failed message again (from a clean count)."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == Status.FAILED)
        .values(status=Status.PENDING, attempts=0, due_at=now)
    )
    return bool(result.rowcount)
