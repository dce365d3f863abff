"""The messages about a booking: what each kind says, which go by SMS too, and the reminders.

Queued in the booking's own transaction (through the outbox, app.notify) and composed only when
sent, from the booking and its person, in that person's language then."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import JSON, Insert, Select, String, literal, select, true
from sqlalchemy.orm import Session

from app.booking.ics import booking_calendar
from app.booking.labels import DOCUMENTS, EXAM_NAMES
from app.booking.models import Booking, BookingStatus, Slot
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
# The actions of the buttons under messages in Telegram (app.booking.messenger_actions).
COME, CANCEL, TAKE = "come", "cancel", "take"


def _booking_facts(booking: Booking) -> list[tuple[str, str]]:
    slot = booking.slot
    facts = [
        (_("Exam"), f"{EXAM_NAMES[slot.exam_type]}, {slot.category}"),
        (_("When"), format_datetime(slot.local_starts_at, "full", rebase=False)),
        (_("Where"), f"{slot.centre.name}, {slot.centre.address}"),
    ]
    if booking.ticket:
        facts.append((_("Ticket"), booking.ticket))
    return facts


def _calendar(booking: Booking, method: str) -> Attachment:
    ics = booking_calendar(booking, organizer_email=organizer_email(), now=utcnow())
    return Attachment("exam.ics", f"text/calendar; method={method}", ics)


def render(message: OutboxMessage) -> Content | None:
    booking = message.booking
    if booking is None:
        return None
    when = format_datetime(booking.slot.local_starts_at, "d MMMM, HH:mm", rebase=False)
    bring = _("Bring: %(documents)s.", documents=", ".join(str(name) for name in DOCUMENTS.values()))
    action = (_("Open the booking"), link("booking.detail", booking_id=booking.id))
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
        action = (_("Find another time"), link("booking.index"))
    elif kind == "waitlist-offer":
        content = Content(
            _("A place is free for you: %(when)s", when=when),
            [_("A place you were waiting for is held for you. Confirm it before the hold runs out.")],
        )
        action = (_("Confirm the place"), action[1])
        content.buttons = [[Button(_("Take this place"), TAKE, booking.id)]]
    elif kind in ("reminder-24h", "reminder-2h"):
        content = Content(_("Reminder: your exam is at %(when)s", when=when), [bring])
        content.buttons = [
            [Button(_("I will come"), COME, booking.id), Button(_("Cancel the booking"), CANCEL, booking.id)]
        ]
    elif kind == "slot-blocked":
        reason = (message.payload or {}).get("reason", "")
        content = Content(
            _("Your exam at %(when)s is cancelled by the centre", when=when),
            [
                _("The centre had to close this time: %(reason)s", reason=reason),
                _("Your next booking of this exam skips the usual waiting rules. Choose a new time."),
            ],
        )
        action = (_("Choose a new time"), link("booking.index"))
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
    # WhatsApp templates (confirmation, reminders): {{1}} when, {{2}} where, {{3}} the ticket.
    slot = booking.slot
    content.template_params = [when, f"{slot.centre.name}, {slot.centre.address}", booking.ticket or "-"]
    return content


def _still_confirmed(message: OutboxMessage) -> bool:
    """A reminder for a booking that is no longer confirmed is not sent."""
    return message.booking is not None and message.booking.status == BookingStatus.CONFIRMED


def register_kinds() -> None:
    from app.booking.messenger_actions import register_actions  # it cancels through holds, which imports us

    for kind in SMS_KINDS + OTHER_KINDS:
        still_relevant = _still_confirmed if kind in REMINDER_KINDS else None
        topic = "reminders" if kind in REMINDER_KINDS else ""
        kinds.register(kind, render, sms=kind in SMS_KINDS, still_relevant=still_relevant, topic=topic)
    kinds.register("rescheduled", render, prefix=True)
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
