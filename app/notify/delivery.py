"""Sending the outbox: each message once, with retries and exponential back-off.

The job takes due messages one at a time: the row is locked (`FOR UPDATE SKIP LOCKED` on
PostgreSQL; on SQLite every transaction holds the write lock), delivered, marked and committed
before the next. Two senders at once never take the same row; a crash loses nothing (an
uncommitted row is still pending) and channels already delivered are not sent again.

A message goes by the channels chosen for it at its first attempt (app.notify.channels), each
once: every channel sent is marked and committed at once (`<channel>_sent_at`), so a retry or a
run killed between channels sends only those not yet marked. A channel that fails is retried with
back-off; a rate limit (429) only postpones the message by the `retry_after` asked; a channel that
cannot reach the person any more (a blocked bot) is unlinked and the next channel takes its place.

One window is at-least-once, not exactly-once: a process killed after a service accepted a
message (the mail server's 250, the Bot API's answer) and before the commit that marks it leaves
the channel unsent, and the next run sends it again (an e-mail with the same Message-ID). A kill
before that is safe: the service did not take the message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.notify import channels
from app.notify.content import Composed, compose
from app.notify.kinds import kind_of
from app.notify.models import OutboxMessage
from app.notify.senders import DeliveryError, Mailer, RetryLater, SmsGateway, Unreachable
from app.notify.telegram import TelegramSender
from app.notify.whatsapp import WhatsAppSender

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
    """The senders configured (None: that channel is off)."""

    mailer: Mailer
    sms: SmsGateway | None = None
    telegram: TelegramSender | None = None
    whatsapp: WhatsAppSender | None = None

    def configured(self) -> set[str]:
        pairs = ((channels.EMAIL, self.mailer), (channels.SMS, self.sms), (channels.TELEGRAM, self.telegram))
        return {name for name, sender in (*pairs, (channels.WHATSAPP, self.whatsapp)) if sender is not None}


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
    """As the kind's feature sees it now (a reminder of a booking cancelled meanwhile is not), and
    only while its booking and person exist: the outbox keeps their ids without foreign keys
    (app.notify.models), so a booking or account removed by hand leaves its messages behind."""
    if (message.booking_id is not None and message.booking is None) or (
        message.user_id is not None and message.user is None
    ):
        return False
    kind = kind_of(message.kind)
    return kind is None or kind.still_relevant is None or kind.still_relevant(message)


def _claim(session: Session, message_id: int, now: datetime) -> OutboxMessage | None:
    return session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == Status.PENDING, OutboxMessage.due_at <= now)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )


def deliver(session: Session, message_id: int, now: datetime, senders: Channels, policy: RetryPolicy) -> str | None:
    """Deliver one message if it is still pending and nobody else holds it; returns its new status
    (None when another sender holds it or has finished it).

    Each channel is sent while the row is locked and its `<channel>_sent_at` read afresh, and is
    committed on its own right after: a run killed between two channels keeps the first as sent,
    and the next run sends only the rest. The caller commits after the last."""
    message = _claim(session, message_id, now)
    if message is None:
        return None
    if not _still_relevant(message):
        message.status = Status.CANCELLED
        return message.status
    settings = channels.settings_for(session, message.user_id)
    configured = senders.configured()
    if message.channels is None:
        message.channels = channels.plan(message, kind_of(message.kind), settings, configured)
    composed = compose(message)
    failures: dict[str, DeliveryError] = {}
    while (channel := _next_channel(message, failures)) is not None:
        try:
            _send(channel, message, composed, settings, senders)
        except Unreachable as error:
            failures[channel] = error
            _forget(channel, message, settings)
            replacement = channels.fallback(message, settings, configured)
            message.channels = [*message.channels, *([replacement] if replacement else [])]
        except DeliveryError as error:
            failures[channel] = error
        else:
            setattr(message, f"{channel}_sent_at", now)
            errors = dict(message.channel_errors or {})
            errors.pop(channel, None)
            message.channel_errors = errors or None
            session.commit()  # this channel is done, whatever happens to the next
            message = _claim(session, message_id, now)
            if message is None:
                return None
    status = _outcome(message, failures, now, policy)
    log.info("message %s (%s) %s; queued under request %s", message.id, message.kind, status, message.request_id)
    return status


def _next_channel(message: OutboxMessage, failures: dict[str, DeliveryError]) -> str | None:
    return next(
        (c for c in message.channels or [] if getattr(message, f"{c}_sent_at") is None and c not in failures), None
    )


def _send(channel: str, message: OutboxMessage, composed: Composed, settings, senders: Channels) -> None:
    if channel == channels.EMAIL and composed.email is not None:
        senders.mailer.send(composed.email)
    elif channel == channels.SMS and composed.sms is not None and senders.sms is not None:
        senders.sms.send(*composed.sms)
    elif channel == channels.TELEGRAM and senders.telegram is not None:
        if settings is None or settings.telegram_chat_id is None:
            raise Unreachable("Telegram: the chat is no longer linked")
        senders.telegram.send(settings.telegram_chat_id, composed.telegram_text, composed.telegram_rows)
    elif channel == channels.WHATSAPP and senders.whatsapp is not None:
        template = channels.whatsapp_template(message.kind)
        if template is None or not message.user.phone:
            raise Unreachable("WhatsApp: no template or number")
        language = current_app.config["WHATSAPP_LANGUAGES"].get(composed.language, composed.language)
        senders.whatsapp.send(message.user.phone, template, language, composed.content.template_params)


def _forget(channel: str, message: OutboxMessage, settings) -> None:
    """The channel cannot reach the person: unlink it, so that later messages do not try it."""
    message.channels = [c for c in message.channels or [] if c != channel]
    if settings is None:
        return
    if channel == channels.TELEGRAM:
        settings.telegram_chat_id = None
        settings.telegram_linked_at = None
    elif channel == channels.WHATSAPP:
        settings.whatsapp_opt_in_at = None


def _outcome(message: OutboxMessage, failures: dict[str, DeliveryError], now: datetime, policy: RetryPolicy) -> str:
    if failures:
        message.channel_errors = {**(message.channel_errors or {}), **{c: str(e)[:300] for c, e in failures.items()}}
        message.last_error = "; ".join(f"{c}: {e}" for c, e in failures.items())[:1000]
    pending = [c for c in message.channels or [] if getattr(message, f"{c}_sent_at") is None]
    if not pending:
        message.status = Status.SENT
        message.sent_at = now
        message.last_error = None
        if (kind := kind_of(message.kind)) is not None and kind.forget:
            message.payload = {key: value for key, value in (message.payload or {}).items() if key not in kind.forget}
        return message.status
    waits = [e.retry_after for e in failures.values() if isinstance(e, RetryLater)]
    if len(waits) == len(failures):
        # Only rate limits: come back when the service said, without using up an attempt.
        message.due_at = now + timedelta(seconds=max(waits))
        return message.status
    message.attempts += 1
    if message.attempts >= policy.max_attempts:
        message.status = Status.FAILED
    else:
        message.due_at = now + policy.delay(message.attempts)
    return message.status


def channel_states(message: OutboxMessage) -> list[tuple[str, str, str | None]]:
    """(channel, sent | pending | failed | cancelled, its last error) for the pages that show it."""
    states = []
    for channel in message.channels or []:
        if getattr(message, f"{channel}_sent_at") is not None:
            state = Status.SENT
        else:
            state = message.status if message.status != Status.SENT else Status.PENDING
        states.append((channel, state, (message.channel_errors or {}).get(channel)))
    return states


def retry_failed(session: Session, message_id: int, now: datetime) -> bool:
    """An admin sends a failed message again (from a clean count)."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == Status.FAILED)
        .values(status=Status.PENDING, attempts=0, due_at=now)
    )
    return bool(result.rowcount)
