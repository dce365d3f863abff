"""Linking a Telegram chat to an account: a single-use deep link, `/start <token>`, `/stop`.

The profile (or `POST /api/v1/me/telegram/link`) makes a random token and shows
`https://t.me/<bot>?start=<token>`; Telegram sends `/start <token>` from the chat that opened it.
Only the token's SHA-256 is stored: the server resolves it (the payload alone proves nothing), it
works once and for `TELEGRAM_LINK_TTL_SECONDS`. The chat that used it is bound to the account;
`/stop` in the chat, or the profile, unlinks it."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.core.locking import lock
from app.notify.channels import settings_or_new
from app.notify.models import MessageSettings, TelegramLinkToken


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_link(session: Session, user_id: int, now: datetime) -> tuple[str, datetime]:
    """(the t.me link, when it expires). Earlier unused links of the account stop working."""
    session.execute(
        update(TelegramLinkToken)
        .where(TelegramLinkToken.user_id == user_id, TelegramLinkToken.used_at.is_(None))
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(24)  # 32 characters of A–Z a–z 0–9 _ -: what a start parameter allows
    expires_at = now + timedelta(seconds=current_app.config["TELEGRAM_LINK_TTL_SECONDS"])
    session.add(TelegramLinkToken(token_hash=_hash(token), user_id=user_id, created_at=now, expires_at=expires_at))
    return f"https://t.me/{current_app.config['TELEGRAM_BOT_USERNAME']}?start={token}", expires_at


def bind(session: Session, token: str, chat_id: int, now: datetime) -> MessageSettings | None:
    """Bind the chat to the token's account; None when the token is unknown, used or expired."""
    record = session.get(TelegramLinkToken, _hash(token or ""))
    if record is None:
        return None
    lock(session, record)  # two /start with one token at once: one wins
    if record.used_at is not None or record.expires_at <= now:
        return None
    record.used_at = now
    # The chat was linked to another account before: it moves (one account per chat).
    session.execute(
        update(MessageSettings)
        .where(MessageSettings.telegram_chat_id == chat_id, MessageSettings.user_id != record.user_id)
        .values(telegram_chat_id=None, telegram_linked_at=None)
    )
    session.flush()
    settings = settings_or_new(session, record.user_id)
    settings.telegram_chat_id = chat_id
    settings.telegram_linked_at = now
    return settings


def for_chat(session: Session, chat_id: int) -> MessageSettings | None:
    return session.scalar(select(MessageSettings).where(MessageSettings.telegram_chat_id == chat_id))


def unlink_chat(session: Session, chat_id: int) -> bool:
    settings = for_chat(session, chat_id)
    if settings is None:
        return False
    settings.telegram_chat_id = None
    settings.telegram_linked_at = None
    return True


def unlink_user(session: Session, user_id: int) -> None:
    settings = session.get(MessageSettings, user_id)
    if settings is not None:
        settings.telegram_chat_id = None
        settings.telegram_linked_at = None
