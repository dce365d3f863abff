"""What an irreversible booking step costs, spelt out before it is taken.

Cancelling, moving, letting a hold go and leaving a waitlist cannot be undone, so the first press
of their button shows a confirmation page listing these consequences and only the second press
acts. Each function returns the page's title, its lines and the button's label, in the reader's
language (needs an app context); times in the centre's zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_date, gettext, ngettext

from app.booking.eligibility import Policy, refusal_to_cancel
from app.booking.models import Booking, BookingStatus, Slot, WaitlistEntry
from app.booking.places import booking_facts
from app.booking.when import exam_when


@dataclass(frozen=True)
class Consequences:
    title: str
    lines: list[str]
    button: str
    keep: str  # the label of the way back, which changes nothing


def _when(slot: Slot) -> str:
    return exam_when(slot.starts_at, slot.centre.timezone)


def of_cancel(booking: Booking, now: datetime, policy: Policy) -> Consequences:
    """Cancelling a confirmed booking (the cool-down starts), or letting a hold go."""
    when = _when(booking.slot)
    if booking.status != BookingStatus.CONFIRMED:
        return Consequences(
            title=gettext("Let this place go?"),
            lines=[
                gettext("The place on %(time)s goes back to others at once.", time=when),
                gettext("To book again you choose a time again; this place may be gone by then."),
            ],
            button=gettext("Yes, let the place go"),
            keep=gettext("No, keep holding it"),
        )
    lines = [gettext("Your ticket %(ticket)s for %(time)s stops being valid.", ticket=booking.ticket, time=when)]
    if refusal := refusal_to_cancel(booking_facts(booking), now, policy):
        lines.append(refusal.message)
    else:
        ends = booking.centre.local(now + policy.cooldown).date()
        lines.append(
            gettext(
                "A cool-down of %(days)s days starts: until %(date)s you can make only one new booking for this exam.",
                days=policy.cooldown.days,
                date=format_date(ends, "long"),
            )
        )
        lines.append(gettext("Your place goes to the next person on the waitlist and cannot be given back."))
    return Consequences(
        title=gettext("Cancel this booking?"),
        lines=lines,
        button=gettext("Yes, cancel the booking"),
        keep=gettext("No, keep my booking"),
    )


def of_move(booking: Booking, slot: Slot, policy: Policy) -> Consequences:
    """Moving to `slot`: a move used up, and a confirmed booking gets a new ticket number."""
    left = max(0, policy.max_reschedules - booking.reschedule_count - 1)
    lines = [
        gettext("From %(old)s to %(new)s.", old=_when(booking.slot), new=_when(slot)),
        gettext("Your current place is released and cannot be taken back."),
        ngettext("After this move %(num)d move is left.", "After this move %(num)d moves are left.", left)
        if left
        else gettext("After this move the booking cannot be moved again."),
    ]
    if booking.status == BookingStatus.CONFIRMED:
        lines.append(
            gettext(
                "You get a new ticket number; the ticket %(ticket)s stops being valid.",
                ticket=booking.ticket,
            )
        )
    return Consequences(
        title=gettext("Move the booking?"),
        lines=lines,
        button=gettext("Yes, move the booking"),
        keep=gettext("No, keep the current time"),
    )


def of_leaving(entry: WaitlistEntry) -> Consequences:
    """Leaving a waitlist: the place in the queue is lost."""
    return Consequences(
        title=gettext("Leave the waitlist?"),
        lines=[
            gettext("You lose your place in the queue: freed places are no longer held for you."),
            gettext("Joining again puts you at the end of the queue."),
        ],
        button=gettext("Yes, leave the waitlist"),
        keep=gettext("No, stay on the waitlist"),
    )
