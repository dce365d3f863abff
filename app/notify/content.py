"""What each message says, in the recipient's language: the feature that registered its kind
renders it (app.notify.kinds); one pair of templates (text and HTML) lays out every kind."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from app.notify.kinds import Content, kind_of
from app.notify.models import OutboxMessage
from app.notify.senders import Email


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


def compose(message: OutboxMessage) -> tuple[Email, str | None]:
    """The e-mail, and the SMS text when this kind goes by SMS too, in the recipient's language."""
    user = message.user
    language = user.language or current_app.config["BABEL_DEFAULT_LOCALE"]
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]), force_locale(language):
        content = content_for(message)
        context = {"content": content, "user": user, "language": language}
        email = Email(
            to=user.email,
            subject=str(content.subject),
            text=render_template("notify/email.txt", **context),
            html=render_template("notify/email.html", **context),
            message_id=f"<outbox-{message.id}@kezek.kz>",
            language=language,
            attachments=content.attachments,
        )
    kind = kind_of(message.kind)
    sms = content.sms if kind is not None and kind.sms and user.phone else None
    return email, sms
