"""What the buttons under a booking's messages do (Telegram, app.notify.actions): "I will come"
and "Cancel the booking" under reminders, "Take this place" under a waitlist offer.

Cancelling asks once more in the chat, then runs the site's own service (holds.cancel: its rules,
its cut-off, its row lock). Each handler first checks the booking is the pressing person's and
still in the state the button was for; otherwise it answers with an alert and changes nothing."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.booking import holds
from app.booking.eligibility import Policy, refusal_to_cancel
from app.booking.messages import CANCEL, COME, TAKE
from app.booking.models import Booking, BookingStatus
from app.booking.places import booking_facts
from app.notify import actions
from app.notify.actions import Reply
from app.notify.kinds import Button, link

CANCEL_YES, KEEP = "cancel-yes", "keep"


def _when(booking: Booking) -> str:
    return format_datetime(booking.slot.local_starts_at, "d MMMM, HH:mm", rebase=False)


def _own(session: Session, user_id: int, booking_id: int) -> Booking | None:
    booking = session.get(Booking, booking_id)
    return booking if booking is not None and booking.user_id == user_id else None


def _gone() -> Reply:
    return Reply(_("This booking can no longer be changed."), alert=True)


def _confirmed(session: Session, user_id: int, booking_id: int) -> Booking | None:
    booking = _own(session, user_id, booking_id)
    return booking if booking is not None and booking.status == BookingStatus.CONFIRMED else None


def come(session: Session, user_id: int, booking_id: int, now: datetime) -> Reply:
    booking = _confirmed(session, user_id, booking_id)
    if booking is None:
        return _gone()
    return Reply(_("Thank you! We expect you on %(when)s. Bring your identity document.", when=_when(booking)))


def cancel(session: Session, user_id: int, booking_id: int, now: datetime) -> Reply:
    """Asks once more: a press by mistake must not cost the place."""
    booking = _confirmed(session, user_id, booking_id)
    if booking is None:
        return _gone()
    if refusal := refusal_to_cancel(booking_facts(booking), now, Policy.from_config(current_app.config)):
        return Reply(refusal.message, alert=True)
    return Reply(
        _("Cancel your exam on %(when)s? The place goes to the next person waiting.", when=_when(booking)),
        buttons=[[Button(_("Yes, cancel it"), CANCEL_YES, booking.id), Button(_("No, keep it"), KEEP, booking.id)]],
    )


def cancel_confirmed(session: Session, user_id: int, booking_id: int, now: datetime) -> Reply:
    booking = _confirmed(session, user_id, booking_id)
    if booking is None:
        return _gone()
    holds.cancel(session, booking, now, Policy.from_config(current_app.config))  # DomainError: an alert
    return Reply(_("Your booking for %(when)s is cancelled.", when=_when(booking)))


def keep(session: Session, user_id: int, booking_id: int, now: datetime) -> Reply:
    booking = _confirmed(session, user_id, booking_id)
    if booking is None:
        return _gone()
    return Reply(_("Your booking stays as it is."))


def take(session: Session, user_id: int, booking_id: int, now: datetime) -> Reply:
    """The offered place is already held for the person: the reply links to confirming it."""
    booking = _own(session, user_id, booking_id)
    if booking is None or holds.display_status(booking, now) != BookingStatus.HELD:
        return Reply(_("This place is no longer held for you."), alert=True)
    until = format_datetime(booking.hold_expires_at, "HH:mm")
    return Reply(
        _(
            "The place on %(when)s is held for you until %(until)s. Confirm it on Kezek.",
            when=_when(booking),
            until=until,
        ),
        buttons=[[Button(_("Confirm the place"), url=link("booking.detail", booking_id=booking.id))]],
    )


def register_actions() -> None:
    for name, handler in ((COME, come), (CANCEL, cancel), (CANCEL_YES, cancel_confirmed), (KEEP, keep), (TAKE, take)):
        actions.register(name, handler)
