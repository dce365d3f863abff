"""Confirming a phone number by a one-time code sent to it by SMS (through the outbox).

A confirmed number is what WhatsApp messages and the centres' SMS go to: the code proves the
person reads that phone. The code has six digits; only its HMAC (keyed by the app's secret, so a
copy of the database alone cannot try the million codes) is stored, it expires after
`PHONE_CODE_TTL_SECONDS` and allows `PHONE_CODE_MAX_ATTEMPTS` wrong tries. Asking for a new code
replaces the old one; how often is limited per person at the views."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.auth.models import PhoneCode, User
from app.auth.services import normalize_phone
from app.core.errors import DomainError, FieldErrors
from app.core.locking import lock
from app.notify import kinds
from app.notify.kinds import Content
from app.notify.models import OutboxMessage
from app.notify.services import queue_message

KIND = "phone-code"
BAD_PHONE = _l("Enter a Kazakhstan phone number, e.g. +7 701 234 56 78.")


def phone_confirmed(user: User) -> bool:
    """Whether the account's current number was confirmed by a code."""
    return bool(user.phone) and user.phone_confirmed_at is not None


def _digest(code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def send_code(session: Session, user: User, phone: str | None, now: datetime) -> PhoneCode:
    """Start confirming `phone` (any usual spelling of a Kazakhstan number): a new code replaces
    any earlier one and goes out by SMS in the caller's transaction."""
    try:
        number = normalize_phone(phone)
    except ValueError:
        number = None
    if number is None:
        raise FieldErrors({"phone": [BAD_PHONE]})
    code = f"{secrets.randbelow(10**6):06d}"
    record = session.get(PhoneCode, user.id)
    if record is None:
        record = PhoneCode(user_id=user.id)
        session.add(record)
    else:
        lock(session, record)
    record.phone = number
    record.code_hash = _digest(code)
    record.created_at = now
    record.expires_at = now + timedelta(seconds=current_app.config["PHONE_CODE_TTL_SECONDS"])
    record.attempts = 0
    session.flush()
    # One message per code sent (the key names this code), never re-sent as another's duplicate.
    key = f"{KIND}:{user.id}:{secrets.token_hex(6)}"
    queue_message(session, kind=KIND, user=user, key=key, payload={"phone": number, "code": code})
    return record


class CodeRefused(DomainError):
    status = 422
    code = "phone-code-invalid"


def confirm_code(session: Session, user: User, code: str | None, now: datetime) -> None:
    """The code right and in time: the number becomes the account's, confirmed. Wrong: one
    attempt used; too many, expired or none asked: ask for a new code."""
    record = session.get(PhoneCode, user.id)
    if record is None:
        raise CodeRefused(_l("Ask for a code first."), code="phone-code-missing")
    lock(session, record)
    if record.expires_at <= now or record.attempts >= current_app.config["PHONE_CODE_MAX_ATTEMPTS"]:
        raise CodeRefused(_l("This code is no longer valid. Ask for a new one."), code="phone-code-expired")
    given = "".join((code or "").split())
    if not hmac.compare_digest(_digest(given), record.code_hash):
        record.attempts += 1
        session.flush()  # kept, though the answer is an error (the view commits it)
        raise CodeRefused(_l("The code is not correct."))
    user.phone = record.phone
    user.phone_confirmed_at = now
    session.delete(record)


def render_code(message: OutboxMessage) -> Content:
    payload = message.payload or {}
    text = _("Kezek code: %(code)s. Do not tell it to anyone.", code=payload.get("code", ""))
    return Content(_("Your Kezek code"), [text], sms=text, sms_to=payload.get("phone"))


def register_kinds() -> None:
    kinds.register(KIND, render_code, sms=True, email=False)
