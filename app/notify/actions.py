"""Actions people take from a message's buttons (Telegram's inline keyboard), registered by the
features that own them: booking registers "I will come", "Cancel the booking" and "Take this
place", so notify runs them without knowing what a booking is (dependencies point one way).

A button carries an opaque, signed id as its callback data: `<action>.<ref>.<mac>`, where the mac
is an HMAC (keyed by the app's secret) of the account the message was sent to, the action and
the ref. The webhook checks it against the account linked to the chat that pressed it, so a
button forged, copied into another chat or left from an account unlinked since does nothing but
answer with an alert. Whether the action is still possible (a booking still active, before the
cut-off) is the handler's to check, with the same services and rules as the site."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy.orm import Session

from app.notify.kinds import Button


@dataclass
class Reply:
    """What the chat is told: a short alert (nothing changed), or a message, with buttons."""

    text: str
    alert: bool = False
    buttons: list[list[Button]] = field(default_factory=list)


# (session, the account pressing, the ref, now) → the reply. The handler does not commit.
Handler = Callable[[Session, int, int, datetime], Reply]
_handlers: dict[str, Handler] = {}


def register(name: str, handler: Handler) -> None:
    """Buttons with action `name` run `handler` (again replaces: the app is built many times)."""
    if "." in name or len(name) > 16:
        raise ValueError("an action name is short and has no dots")
    _handlers[name] = handler


def handler_for(name: str) -> Handler | None:
    return _handlers.get(name)


def _mac(user_id: int, name: str, ref: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"telegram-button:{user_id}:{name}:{ref}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:15]).decode()


def sign(user_id: int, name: str, ref: int) -> str:
    """Callback data for a button of `name` on `ref` sent to `user_id` (at most 64 bytes)."""
    return f"{name}.{ref}.{_mac(user_id, name, ref)}"


def verify(data: str, user_id: int) -> tuple[str, int] | None:
    """(action, ref) when `data` was signed for `user_id`, else None."""
    name, _, rest = (data or "").partition(".")
    ref_text, _, mac = rest.partition(".")
    if not ref_text.isdigit() or len(ref_text) > 12:
        return None
    ref = int(ref_text)
    if not hmac.compare_digest(mac, _mac(user_id, name, ref)):
        return None
    return name, ref


def button_rows(rows: list[list[Button]], user_id: int) -> list[list[dict[str, str]]]:
    """Telegram's inline keyboard for `rows`, each action button signed for `user_id`."""
    return [
        [
            {"text": str(b.label), "url": b.url}
            if b.url
            else {"text": str(b.label), "callback_data": sign(user_id, b.action, b.ref)}
            for b in row
        ]
        for row in rows
    ]
