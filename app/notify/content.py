"""What each message says: subject, paragraphs, an action link and the booking's facts, in the
recipient's language. One pair of templates (text and HTML) renders every kind."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app, render_template, url_for
from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.booking.ics import booking_calendar
from app.booking.labels import DOCUMENTS, EXAM_NAMES
from app.core.clock import utcnow
from app.notify.models import OutboxMessage
from app.notify.senders import Attachment, Email

# Kinds also sent by SMS when the person gave a phone number: changes they must not miss.
SMS_KINDS = ("reminder-2h", "cancellation", "slot-blocked", "waitlist-offer", "exam-result")


@dataclass
class Content:
    subject: str
    paragraphs: list[str]
    action: tuple[str, str] | None = None  # (label, absolute URL)
    facts: list[tuple[str, str]] = field(default_factory=list)
    sms: str | None = None
    attachments: list[Attachment] = field(default_factory=list)


def _link(endpoint: str, **values) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def _booking_facts(booking) -> list[tuple[str, str]]:
    slot = booking.slot
    facts = [
        (_("Exam"), f"{EXAM_NAMES[slot.exam_type]}, {slot.category}"),
        (_("When"), format_datetime(slot.local_starts_at, "full", rebase=False)),
        (_("Where"), f"{slot.centre.name}, {slot.centre.address}"),
    ]
    if booking.ticket:
        facts.append((_("Ticket"), booking.ticket))
    return facts


def _calendar(booking, method: str) -> Attachment:
    ics = booking_calendar(booking, organizer_email=_organizer(), now=utcnow())
    return Attachment("exam.ics", f"text/calendar; method={method}", ics)


def _booking_content(message: OutboxMessage) -> Content:
    booking = message.booking
    when = format_datetime(booking.slot.local_starts_at, "d MMMM, HH:mm", rebase=False)
    bring = _("Bring: %(documents)s.", documents=", ".join(str(name) for name in DOCUMENTS.values()))
    action = (_("Open the booking"), _link("booking.detail", booking_id=booking.id))
    kind = message.kind
    if kind == "confirmation":
        content = Content(
            _("Your exam is booked: %(when)s", when=when),
            [_("Your place is confirmed. The calendar file is attached."), bring],
            attachments=[_calendar(booking, "REQUEST")],
        )
    elif kind == "cancellation":
        content = Content(
            _("Your exam booking is cancelled"),
            [_("Your booking for %(when)s is cancelled.", when=when)],
            attachments=[_calendar(booking, "CANCEL")],
        )
    elif kind.startswith("rescheduled"):
        content = Content(
            _("Your exam is moved to %(when)s", when=when),
            [_("Your booking now has a new time.")],
            attachments=[_calendar(booking, "REQUEST")],
        )
    elif kind == "hold-expired":
        content = Content(
            _("Your held place was released"),
            [_("You did not confirm the place held for %(when)s in time, so it was released.", when=when)],
        )
        action = (_("Find another time"), _link("booking.index"))
    elif kind == "waitlist-offer":
        content = Content(
            _("A place is free for you: %(when)s", when=when),
            [_("A place you were waiting for is held for you. Confirm it before the hold runs out.")],
        )
        action = (_("Confirm the place"), action[1])
    elif kind in ("reminder-24h", "reminder-2h"):
        content = Content(_("Reminder: your exam is at %(when)s", when=when), [bring])
    elif kind == "slot-blocked":
        reason = (message.payload or {}).get("reason", "")
        content = Content(
            _("Your exam at %(when)s is cancelled by the centre", when=when),
            [
                _("The centre had to close this time: %(reason)s", reason=reason),
                _("Your next booking of this exam skips the usual waiting rules. Choose a new time."),
            ],
        )
        action = (_("Choose a new time"), _link("booking.index"))
    elif kind == "exam-result":
        passed = (message.payload or {}).get("passed")
        content = Content(
            _("Your exam result: passed") if passed else _("Your exam result: not passed"),
            [_("The centre recorded the result of your exam on %(when)s.", when=when)],
        )
    else:
        content = Content(
            _("News about your exam booking"), [_("Something changed in your booking for %(when)s.", when=when)]
        )
    content.action = action
    content.facts = _booking_facts(booking)
    content.sms = f"Kezek: {content.subject}. {action[1]}"
    return content


APPEAL_EVENTS = {
    "received": _l("received"),
    "registered": _l("registered"),
    "referred": _l("referred to the competent centre"),
    "extended": _l("the term is extended"),
    "decided": _l("decided"),
    "withdrawn": _l("withdrawn"),
    "complaint-received": _l("your complaint is received"),
    "complaint-decided": _l("your complaint is decided"),
}


def _appeal_content(message: OutboxMessage) -> Content:
    payload = message.payload or {}
    event = message.kind.removeprefix("appeal-")
    return Content(
        _(
            "Your appeal %(number)s: %(event)s",
            number=payload.get("receipt_number", ""),
            event=APPEAL_EVENTS.get(event, event),
        ),
        [_("Open the appeal to see its status, its deadlines and any decision with its reasons.")],
        action=(_("Open the appeal"), _link("appeals.detail", appeal_id=payload["appeal"])),
    )


def _other_content(message: OutboxMessage) -> Content:
    payload = message.payload or {}
    if message.kind.startswith("appeal-") and "appeal" in payload:
        return _appeal_content(message)
    if message.kind == "password-reset":
        return Content(
            _("Reset your Kezek password"),
            [
                _("Someone asked to reset the password of your Kezek account. If it was not you, ignore this message."),
                _("The link works for one hour."),
            ],
            action=(_("Choose a new password"), payload["url"]),
        )
    return Content(
        payload.get("subject") or _("News from Kezek"),
        [payload.get("text") or _("Open Kezek to see what changed.")],
        action=(_("Open Kezek"), current_app.config["BASE_URL"]),
    )


def _organizer() -> str:
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    return sender.split("<")[-1].rstrip(">") if "<" in sender else sender


def content_for(message: OutboxMessage) -> Content:
    """In the current language; needs a request context (links)."""
    return _booking_content(message) if message.booking is not None else _other_content(message)


def subject_of(message: OutboxMessage) -> str:
    return str(content_for(message).subject)


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
    sms = content.sms if message.kind in SMS_KINDS and user.phone else None
    return email, sms
