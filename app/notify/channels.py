"""Which channels a message goes by: the person's choice per topic, else the defaults.

Defaults: e-mail always; one messenger when linked (Telegram, else WhatsApp when opted in with a
confirmed phone); SMS for the kinds that must not be missed (changes made by the centre, offers,
the last reminder) when the person gave a phone number. A person who chose channels for a topic
gets exactly those that can reach them; when none can, e-mail. A kind that only makes sense on
one channel (a phone code: SMS) ignores the choice."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.notify.kinds import Kind
from app.notify.models import MessageSettings, OutboxMessage

EMAIL, SMS, TELEGRAM, WHATSAPP = "email", "sms", "telegram", "whatsapp"
ALL = (EMAIL, TELEGRAM, WHATSAPP, SMS)
NAMES = {EMAIL: _l("E-mail"), TELEGRAM: "Telegram", WHATSAPP: "WhatsApp", SMS: "SMS"}
TOPICS = {
    "reminders": _l("Reminders before an exam"),
    "important": _l("Changes made by the centre, offers and results"),
    "other": _l("Other news about bookings, appeals and the account"),
}
# After a channel turns out not to reach the person (a blocked bot): the next one, in this order.
FALLBACK = (WHATSAPP, SMS, EMAIL)


def settings_for(session: Session, user_id: int) -> MessageSettings | None:
    return session.get(MessageSettings, user_id)


def settings_or_new(session: Session, user_id: int) -> MessageSettings:
    settings = session.get(MessageSettings, user_id)
    if settings is None:
        settings = MessageSettings(user_id=user_id)
        session.add(settings)
    return settings


def whatsapp_template(kind_name: str) -> str | None:
    """The approved template of this kind, or None (WhatsApp only carries templated kinds)."""
    return current_app.config["WHATSAPP_TEMPLATES"].get(kind_name)


def reachable(message: OutboxMessage, settings: MessageSettings | None, configured: set[str]) -> set[str]:
    """The channels that can carry this message to its person now."""
    user = message.user
    found = {EMAIL} if user.email else set()
    if user.phone:
        found.add(SMS)
    if settings is not None and settings.telegram_chat_id is not None:
        found.add(TELEGRAM)
    confirmed = bool(user.phone) and getattr(user, "phone_confirmed_at", None) is not None
    opted_in = settings is not None and settings.whatsapp_opt_in_at is not None
    if opted_in and confirmed and whatsapp_template(message.kind):
        found.add(WHATSAPP)
    return found & configured


def plan(
    message: OutboxMessage, kind: Kind | None, settings: MessageSettings | None, configured: set[str]
) -> list[str]:
    """The channels for `message`, in sending order."""
    if kind is not None and not kind.email:
        return [SMS] if SMS in configured else []  # the number is in the content (sms_to)
    can = reachable(message, settings, configured)
    topic = kind.topic if kind is not None else "other"
    chosen = (settings.choices or {}).get(topic) if settings is not None else None
    if chosen is not None:
        picked = [channel for channel in ALL if channel in chosen and channel in can]
        return picked or ([EMAIL] if EMAIL in can else [])
    picked = [EMAIL] if EMAIL in can else []
    messenger = next((channel for channel in (TELEGRAM, WHATSAPP) if channel in can), None)
    if messenger:
        picked.append(messenger)
    if kind is not None and kind.sms and SMS in can:
        picked.append(SMS)
    return picked


def fallback(message: OutboxMessage, settings: MessageSettings | None, configured: set[str]) -> str | None:
    """The next channel after one that cannot reach the person any more, not yet in the plan."""
    can = reachable(message, settings, configured)
    planned = set(message.channels or [])
    return next((channel for channel in FALLBACK if channel in can and channel not in planned), None)


def defaults_for(kind_topic: str, settings: MessageSettings | None) -> list[str]:
    """What the profile shows as chosen for a topic: the stored choice, else the defaults."""
    chosen = (settings.choices or {}).get(kind_topic) if settings is not None else None
    if chosen is not None:
        return list(chosen)
    messenger = []
    if settings is not None and settings.telegram_chat_id is not None:
        messenger = [TELEGRAM]
    elif settings is not None and settings.whatsapp_opt_in_at is not None:
        messenger = [WHATSAPP]
    return [EMAIL, *messenger, *([SMS] if kind_topic == "important" else [])]


def choose(session: Session, user_id: int, choices: dict[str, list[str]]) -> None:
    """Store the person's channels per topic (unknown topics and channels are dropped)."""
    settings = settings_or_new(session, user_id)
    settings.choices = {topic: [channel for channel in ALL if channel in choices.get(topic, [])] for topic in TOPICS}
