"""The messages about a booking: what each kind says, which go by SMS too, and the reminders.

Queued in the booking's own transaction (through the outbox, app.notify) and composed only when
sent, from the booking and its person, in that person's language then."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Insert, Select, String, literal, select, true
from sqlalchemy.orm import Session, joinedload, object_session

from app.booking.ics import booking_calendar
from app.booking.labels import DOCUMENTS, EXAM_NAMES
from app.booking.models import Booking, BookingStatus, Slot
from app.booking.when import exam_when
from app.core.clock import utcnow
from app.core.database import insert_for
from app.core.request_ids import current_request_id
from app.core.types import UTCDateTime
from app.notify import kinds
from app.notify.content import organizer_email
from app.notify.kinds import Button, Content, link
from app.notify.models import OutboxMessage
from app.notify.senders import Attachment

# (kind, how long before the exam it is due, no later than this before the exam)
REMINDERS = (
    ("reminder-24h", timedelta(hours=24), timedelta(hours=2)),  # the 2 h one takes over after that
    ("reminder-2h", timedelta(hours=2), timedelta(0)),
)
REMINDER_KINDS = tuple(kind for kind, _before, _until in REMINDERS)
# Kinds also sent by SMS when the person gave a phone number: changes they must not miss.
SMS_KINDS = ("reminder-2h", "cancellation", "slot-blocked", "waitlist-offer", "exam-result")
OTHER_KINDS = ("confirmation", "hold-expired", "reminder-24h")
# What people see when they choose each kind's channels on their profile (app.notify.channels).
LABELS = {
    "confirmation": _l("Booking confirmed"),
    "rescheduled": _l("Booking moved to another time"),
    "hold-expired": _l("A held place was released unconfirmed"),
    "reminder-24h": _l("Reminder the day before the exam"),
    "reminder-2h": _l("Reminder two hours before the exam"),
    "cancellation": _l("Booking cancelled"),
    "slot-blocked": _l("Exam time closed by the centre"),
    "waitlist-offer": _l("A place offered from the waitlist"),
    "exam-result": _l("Exam result"),
}
# The actions of the buttons under messages in Telegram (app.booking.messenger_actions).
COME, CANCEL, TAKE = "come", "cancel", "take"


def _booking_facts(message: OutboxMessage, booking: Booking) -> list[tuple[str, str]]:
    """The exam's facts as at the event (the payload's snapshot, else the booking now)."""
    slot, payload = booking.slot, message.payload or {}
    starts = datetime.fromisoformat(payload["starts_at"]) if payload.get("starts_at") else slot.local_starts_at
    facts = [
        (_("Exam"), f"{EXAM_NAMES[slot.exam_type]}, {slot.category}"),
        (_("When"), exam_when(starts, slot.centre.timezone)),
        (_("Where"), f"{slot.centre.name}, {slot.centre.address}"),
    ]
    ticket = payload.get("ticket", booking.ticket)
    if ticket:
        facts.append((_("Ticket"), ticket))
    return facts


def _calendar(booking: Booking, method: str) -> Attachment:
    ics = booking_calendar(booking, organizer_email=organizer_email(), now=utcnow())
    return Attachment("exam.ics", f"text/calendar; method={method}", ics)


def _when(message: OutboxMessage, booking: Booking) -> str:
    """The exam's time as it was when the message was queued (its payload keeps the snapshot), so
    "booked: 09:00" stays so after a move to 11:00; messages queued in bulk fall back to the slot."""
    starts = (message.payload or {}).get("starts_at")
    moment = datetime.fromisoformat(starts) if starts else booking.slot.local_starts_at
    return format_datetime(moment, "d MMMM, HH:mm", rebase=False)


def _text(message: OutboxMessage, booking: Booking, detail_url: str, book_url: str) -> tuple[Content, str | None]:
    """The subject, paragraphs and action of a booking message, and the calendar method to attach."""
    when = _when(message, booking)
    payload = message.payload or {}
    bring = _("Bring: %(documents)s.", documents=", ".join(str(name) for name in DOCUMENTS.values()))
    action = (_("Open the booking"), detail_url)
    kind, method = message.kind, None
    if kind == "confirmation":
        content = Content(
            _("Your exam is booked: %(when)s", when=when),
            [_("Your place is confirmed. The calendar file is attached."), bring],
        )
        method = "REQUEST"
    elif kind == "cancellation":
        content = Content(
            _("Your exam booking is cancelled"), [_("Your booking for %(when)s is cancelled.", when=when)]
        )
        method = "CANCEL"
    elif kind.startswith("rescheduled"):
        content = Content(_("Your exam is moved to %(when)s", when=when), [_("Your booking now has a new time.")])
        method = "REQUEST"
    elif kind == "hold-expired":
        content = Content(
            _("Your held place was released"),
            [_("You did not confirm the place held for %(when)s in time, so it was released.", when=when)],
        )
        action = (_("Find another time"), book_url)
    elif kind == "waitlist-offer":
        content = Content(
            _("A place is free for you: %(when)s", when=when),
            [_("A place you were waiting for is held for you. Confirm it before the hold runs out.")],
        )
        action = (_("Confirm the place"), detail_url)
        content.buttons = [[Button(_("Take this place"), TAKE, booking.id)]]
    elif kind in ("reminder-24h", "reminder-2h"):
        content = Content(_("Reminder: your exam is at %(when)s", when=when), [bring])
        content.buttons = [
            [Button(_("I will come"), COME, booking.id), Button(_("Cancel the booking"), CANCEL, booking.id)]
        ]
    elif kind == "slot-blocked":
        content = Content(
            _("Your exam at %(when)s is cancelled by the centre", when=when),
            [
                _("The centre had to close this time: %(reason)s", reason=payload.get("reason", "")),
                _("Your next booking of this exam skips the usual waiting rules. Choose a new time."),
            ],
        )
        action = (_("Rebook with priority"), book_url)
    elif kind == "exam-result":
        content = Content(
            _("Your exam result: passed") if payload.get("passed") else _("Your exam result: not passed"),
            [_("The centre recorded the result of your exam on %(when)s.", when=when)],
        )
    else:
        content = Content(
            _("News about your exam booking"), [_("Something changed in your booking for %(when)s.", when=when)]
        )
    content.action = action
    return content, method


def _rebook_endpoint(booking: Booking) -> dict:
    """Where to choose a new time: the same centre, exam and category (a centre's cancellation
    comes with a priority rebooking there)."""
    slot = booking.slot
    return {"code": slot.centre.code, "exam": slot.exam_type, "category": slot.category}


def render(message: OutboxMessage) -> Content | None:
    booking = message.booking
    if booking is None:
        return None
    book_url = link("booking.centre", **_rebook_endpoint(booking)) if message.kind == "slot-blocked" else None
    content, method = _text(
        message, booking, link("booking.detail", booking_id=booking.id), book_url or link("booking.index")
    )
    if method is not None:
        content.attachments = [_calendar(booking, method)]
    content.facts = _booking_facts(message, booking)
    content.sms = f"Kezek: {content.subject}. {content.action[1]}"
    # WhatsApp templates (confirmation, reminders): {{1}} when, {{2}} where, {{3}} the ticket.
    slot = booking.slot
    content.template_params = [
        _when(message, booking),
        f"{slot.centre.name}, {slot.centre.address}",
        booking.ticket or "-",
    ]
    return content


def summary(message: OutboxMessage) -> Content | None:
    """The in-app list's version: the text as at the event, links within the site, no attachments."""
    booking = message.booking
    if booking is None:
        return None
    book_url = url_for("booking.centre", **_rebook_endpoint(booking)) if message.kind == "slot-blocked" else None
    return _text(
        message, booking, url_for("booking.detail", booking_id=booking.id), book_url or url_for("booking.index")
    )[0]


def preload(messages) -> None:
    """The bookings (with their slots and centres) of a page of the in-app list, in one statement."""
    ids = {message.booking_id for message in messages if message.booking_id is not None}
    if ids:
        session = object_session(next(iter(messages)))
        session.scalars(
            select(Booking).options(joinedload(Booking.slot).joinedload(Slot.centre)).where(Booking.id.in_(ids))
        ).unique().all()


def _still_confirmed(message: OutboxMessage) -> bool:
    """A reminder for a booking that is no longer confirmed is not sent."""
    return message.booking is not None and message.booking.status == BookingStatus.CONFIRMED


def register_kinds() -> None:
    from app.booking.messenger_actions import register_actions  # it cancels through holds, which imports us

    for kind in SMS_KINDS + OTHER_KINDS:
        still_relevant = _still_confirmed if kind in REMINDER_KINDS else None
        topic = "reminders" if kind in REMINDER_KINDS else ""
        kinds.register(
            kind,
            render,
            sms=kind in SMS_KINDS,
            still_relevant=still_relevant,
            topic=topic,
            summary=summary,
            label=LABELS[kind],
        )
    kinds.register("rescheduled", render, prefix=True, summary=summary, label=LABELS["rescheduled"])
    kinds.register_preload("booking", preload)
    register_actions()


# --- queueing many at once ----------------------------------------------------------------------


def queue_booking_messages(session: Session, *, kind: str, bookings: Select, now: datetime | None = None) -> int:
    """Queue one message of `kind` per row (booking id, user id) of `bookings` in one INSERT … SELECT,
    skipping bookings that already have one; returns how many were queued.

    For set-based jobs that touch thousands of bookings at once: the statement is the same whatever
    their number. The count comes from RETURNING: psycopg reports no row count (-1) for this statement."""
    return len(session.execute(booking_messages(session, kind=kind, bookings=bookings, now=now)).all())


def booking_messages(session: Session, *, kind: str, bookings: Select, now: datetime | None = None) -> Insert:
    """The INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING id that `queue_booking_messages` runs, for
    a caller that makes it part of a statement of its own (the hold sweep's WITH on PostgreSQL).

    `bookings` selects the booking's id first and its person's id second. The payload stays empty:
    the content is composed at delivery (`render`), so nothing per row is built here. Created and
    due `now`, by default the clock's time, as `app.notify.services.queue_message`."""
    now = now or utcnow()
    rows = bookings.subquery()
    # By position: the caller names its two columns as it likes.
    booking_id, user_id = rows.c[0], rows.c[1]
    chosen = select(
        literal(kind),
        booking_id,
        user_id,
        literal({}, type_=JSON),
        literal("pending"),
        literal(now, type_=UTCDateTime()),
        literal(now, type_=UTCDateTime()),
        literal(0),
        literal(current_request_id(), type_=String),
    ).where(true())  # SQLite reads "… FROM x ON CONFLICT" as a join's ON without a WHERE
    return (
        insert_for(session, OutboxMessage)
        .from_select(
            ["kind", "booking_id", "user_id", "payload", "status", "created_at", "due_at", "attempts", "request_id"],
            chosen,
        )
        .on_conflict_do_nothing(
            index_elements=["booking_id", "kind"], index_where=OutboxMessage.booking_id.is_not(None)
        )
        .returning(OutboxMessage.id)
    )


def queue_reminders(session: Session, now: datetime) -> int:
    """Queue the reminders now due for confirmed exams: one INSERT … SELECT per kind, whatever the
    number of bookings, skipping those already queued (the unique booking-and-kind index); returns
    how many were queued. One missed while the scheduler was down is still queued once, while the
    exam is ahead."""
    queued = 0
    for kind, before, until in REMINDERS:
        due = (
            select(Booking.id, Booking.user_id)
            .join(Slot, Slot.id == Booking.slot_id)
            .where(
                Booking.status == BookingStatus.CONFIRMED,
                Slot.starts_at <= now + before,
                Slot.starts_at > now + until,
            )
        )
        queued += queue_booking_messages(session, kind=kind, bookings=due, now=now)
    return queued
