"""The messages of a draw: a place won (a hold to confirm), no place this time, or no longer
eligible; and the round called off before its draw. Composed when sent, in the person's language then."""

from __future__ import annotations

from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.notify import kinds
from app.notify.kinds import Content, link
from app.notify.models import OutboxMessage

# Messages about the round itself (not about a booking): they link to the round's pages.
ABOUT_THE_ROUND = ("round-lost", "round-ineligible", "round-cancelled")
KINDS = ("round-won", *ABOUT_THE_ROUND)
# What people see when they choose each kind's channels on their profile (app.notify.channels).
LABELS = {
    "round-won": _l("Fair-release draw: a place won"),
    "round-lost": _l("Fair-release draw: no place this time"),
    "round-ineligible": _l("Fair-release draw: request could not take part"),
    "round-cancelled": _l("Fair-release round called off"),
}


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
    elif message.kind in ABOUT_THE_ROUND and round_id:
        subject, paragraphs, label, endpoint = _about_the_round(message.kind)
        content = Content(subject, paragraphs, action=(label, link(endpoint, round_id=round_id)))
    else:
        return None
    content.sms = f"Kezek: {content.subject}. {content.action[1]}"
    return content


def _about_the_round(kind: str) -> tuple[str, list[str], str, str]:
    """Subject, paragraphs, the link's label and page of the messages about the round itself."""
    if kind == "round-lost":
        lost = _("Every place you chose went to requests drawn before yours.")
        waitlist = _("You can join the waitlist of the times you chose, or file a request in the next round.")
        return _("No place for you in this draw"), [lost, waitlist], _("See the results"), "rounds.results"
    if kind == "round-ineligible":
        refused = _("At the draw the booking rules no longer allowed any of the times you chose.")
        return _("Your request could not take part in the draw"), [refused], _("See the results"), "rounds.results"
    called_off = _("The centre called the round off before its draw: there will be no lottery for it.")
    bookable = _("Its exam times can now be booked as usual, first come, first served.")
    subject = _("The round you filed a request in is cancelled")
    return subject, [called_off, bookable], _("See the round"), "rounds.detail"


def register_kinds() -> None:
    for kind in KINDS:
        kinds.register(kind, render, sms=True, label=LABELS[kind])
