"""The messages of a draw: a place won (a hold to confirm), no place this time, or no longer
eligible; and the round called off before its draw. Composed when sent, in the person's language then."""

from __future__ import annotations

from flask_babel import format_datetime
from flask_babel import gettext as _

from app.notify import kinds
from app.notify.kinds import Content, link
from app.notify.models import OutboxMessage

KINDS = ("round-won", "round-lost", "round-ineligible", "round-cancelled")


def render(message: OutboxMessage) -> Content | None:
    payload = message.payload or {}
    round_id = payload.get("round_id")
    if message.kind == "round-won" and message.booking is not None:
        booking = message.booking
        when = format_datetime(booking.slot.local_starts_at, "d MMMM, HH:mm", rebase=False)
        content = Content(
            _("You won a place in the draw: %(when)s", when=when),
            [_("A place is held for you. Confirm it before the hold runs out, or it goes to the next in line.")],
            action=(_("Confirm the place"), link("booking.detail", booking_id=booking.id)),
        )
    elif message.kind == "round-lost" and round_id:
        content = Content(
            _("No place for you in this draw"),
            [
                _("Every place you chose went to requests drawn before yours."),
                _("You can join the waitlist of the times you chose, or file a request in the next round."),
            ],
            action=(_("See the results"), link("rounds.results", round_id=round_id)),
        )
    elif message.kind == "round-ineligible" and round_id:
        content = Content(
            _("Your request could not take part in the draw"),
            [_("At the draw the booking rules no longer allowed any of the times you chose.")],
            action=(_("See the results"), link("rounds.results", round_id=round_id)),
        )
    elif message.kind == "round-cancelled" and round_id:
        content = Content(
            _("The round you filed a request in is cancelled"),
            [
                _("The centre called the round off before its draw: there will be no lottery for it."),
                _("Its exam times can now be booked as usual, first come, first served."),
            ],
            action=(_("See the round"), link("rounds.detail", round_id=round_id)),
        )
    else:
        return None
    content.sms = f"Kezek: {content.subject}. {content.action[1]}"
    return content


def register_kinds() -> None:
    for kind in KINDS:
        kinds.register(kind, render, sms=True)
