"""What each message says, in the recipient's language: the feature that registered its kind
renders it (app.notify.kinds); one pair of templates (text and HTML) lays out every kind."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from app.notify import actions
from app.notify.kinds import Content, kind_of
from app.notify.models import OutboxMessage
from app.notify.senders import Email
from app.notify.telegram import message_text


def _generic_content(message: OutboxMessage) -> Content:
    """A kind nobody registered: what its payload says, or a plain notice."""
    payload = message.payload or {}
    return Content(
        payload.get("subject") or _("News from Kezek"),
        [payload.get("text") or _("Open Kezek to see what changed.")],
        action=(_("Open Kezek"), current_app.config["BASE_URL"]),
    )


def organizer_email() -> str:
    """The address messages come from, without its display name (a calendar's organizer)."""
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    return sender.split("<")[-1].rstrip(">") if "<" in sender else sender


def content_for(message: OutboxMessage) -> Content:
    """In the current language; needs a request context (links)."""
    kind = kind_of(message.kind)
    content = kind.render(message) if kind is not None else None
    return content if content is not None else _generic_content(message)


def subject_of(message: OutboxMessage) -> str:
    return str(content_for(message).subject)


def summary_of(message: OutboxMessage) -> Content:
    """What the in-app list shows: the kind's summary when it has one, else its full content."""
    kind = kind_of(message.kind)
    summary = kind.summary(message) if kind is not None and kind.summary is not None else None
    return summary if summary is not None else content_for(message)


@dataclass
class Composed:
    """One message as each channel carries it, in the recipient's language."""

    content: Content
    language: str
    email: Email | None
    sms: tuple[str, str] | None  # (number, text)
    telegram_text: str
    telegram_rows: list[list[dict[str, str]]] = field(default_factory=list)


def _telegram_rows(content: Content, user_id: int) -> list[list[dict[str, str]]]:
    rows = actions.button_rows(content.buttons, user_id)
    if content.action:
        rows.append([{"text": str(content.action[0]), "url": content.action[1]}])
    return rows


def compose(message: OutboxMessage) -> Composed:
    """The message for every channel, in the recipient's language. The SMS: the kind's own text
    (to the number it names, else the account's), else the subject and the link."""
    user = message.user  # None for a message to an address without an account
    language = (user.language if user else message.language) or current_app.config["BABEL_DEFAULT_LOCALE"]
    kind = kind_of(message.kind)
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]), force_locale(language):
        content = content_for(message)
        context = {"content": content, "user": user, "language": language}
        email = None
        if kind is None or kind.email:
            email = Email(
                to=user.email if user else message.to_email,
                subject=str(content.subject),
                text=render_template("notify/email.txt", **context),
                html=render_template("notify/email.html", **context),
                message_id=f"<outbox-{message.id}@kezek.kz>",
                language=language,
                attachments=content.attachments,
            )
        telegram_text = message_text(str(content.subject), content.paragraphs, content.facts)
        rows = _telegram_rows(content, message.user_id) if user else []
    phone = content.sms_to or (user.phone if user else None)
    text = content.sms or f"Kezek: {content.subject}" + (f" {content.action[1]}" if content.action else "")
    return Composed(content, language, email, (phone, text) if phone else None, telegram_text, rows)
