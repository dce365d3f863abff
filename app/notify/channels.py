"""Which channels a message goes by: the person's choice per kind of message, else the defaults.

Defaults: e-mail always; one messenger when linked (Telegram, else WhatsApp when opted in with a
confirmed phone); SMS for the kinds that must not be missed (changes made by the centre, offers,
the last reminder) when the person gave a phone number. A person who chose channels for a kind
gets exactly those that can reach them; when none can, e-mail. A kind that only makes sense on
one channel (a phone code: SMS) ignores the choice, and kinds nobody chooses for (account
messages) take the defaults.

Choices are kept in `message_settings.choices` by kind key ("reminder-2h", "appeal" …). Before
they were per topic ("reminders", "important", "other"); such rows are not migrated but read in
place: a kind without a choice of its own takes its topic's, so a person's old choice holds until
they save the form again (which stores every kind and drops the topic rows)."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.notify.kinds import Kind, choosable
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


def settings_for(session: Session, user_id: int | None) -> MessageSettings | None:
    return session.get(MessageSettings, user_id) if user_id is not None else None


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
    if user is None:  # a message to an address without an account goes by e-mail alone
        return {EMAIL} if message.to_email else set()
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


def stored(settings: MessageSettings | None, kind: Kind) -> list[str] | None:
    """The person's choice for this kind: its own, else the one made for its topic (the old rows)."""
    if settings is None or kind.label is None:
        return None
    choices = settings.choices or {}
    return choices[kind.key] if kind.key in choices else choices.get(kind.topic)


def defaults(kind: Kind | None, settings: MessageSettings | None) -> list[str]:
    """The channels of a kind nobody chose for: e-mail, one messenger if linked, SMS for SMS kinds."""
    messenger = []
    if settings is not None and settings.telegram_chat_id is not None:
        messenger = [TELEGRAM]
    elif settings is not None and settings.whatsapp_opt_in_at is not None:
        messenger = [WHATSAPP]
    return [EMAIL, *messenger, *([SMS] if kind is not None and kind.sms else [])]


def plan(
    message: OutboxMessage, kind: Kind | None, settings: MessageSettings | None, configured: set[str]
) -> list[str]:
    """The channels for `message`, in sending order."""
    if kind is not None and not kind.email:
        return [SMS] if SMS in configured else []  # the number is in the content (sms_to)
    can = reachable(message, settings, configured)
    chosen = stored(settings, kind) if kind is not None else None
    if chosen is not None:
        picked = [channel for channel in ALL if channel in chosen and channel in can]
        return picked or ([EMAIL] if EMAIL in can else [])
    # The defaults, as `defaults` says, among the channels that can reach the person now.
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


def shown(settings: MessageSettings | None) -> dict[str, list[str]]:
    """What the profile and the API show as chosen, per kind key: the choice, else the defaults."""
    result = {}
    for key, kind in choosable().items():
        chosen = stored(settings, kind)
        result[key] = list(chosen) if chosen is not None else defaults(kind, settings)
    return result


def grouped() -> dict[str, list[tuple[str, object]]]:
    """The kinds people choose for under their topics, in the topics' order: {topic: [(key, label)]}."""
    groups: dict[str, list[tuple[str, object]]] = {topic: [] for topic in TOPICS}
    for key, kind in choosable().items():
        groups.setdefault(kind.topic, []).append((key, kind.label))
    return {topic: kinds for topic, kinds in groups.items() if kinds}


def choose(session: Session, user_id: int, choices: dict[str, list[str]]) -> None:
    """Store the person's channels for every kind: a key may also be a topic (as the API took them
    before), which stands for each of its kinds without a key of its own in `choices`. A kind in
    neither keeps no channel (e-mail then goes as a last resort); unknown channels are dropped."""
    settings = settings_or_new(session, user_id)
    stored_choices = {}
    for key, kind in choosable().items():
        wanted = choices.get(key, choices.get(kind.topic, []))
        stored_choices[key] = [channel for channel in ALL if channel in wanted]
    settings.choices = stored_choices
