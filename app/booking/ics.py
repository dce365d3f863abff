"""A booking as an iCalendar file (RFC 5545, iTIP methods of RFC 5546).

One stable UID per booking and a SEQUENCE raised on every change, so calendars update the event
instead of adding a copy; a cancelled booking is sent as METHOD:CANCEL. Times carry the centre's
time zone (with its VTIMEZONE), the location its name and address.
"""

from __future__ import annotations

from datetime import datetime

from flask import Response, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from icalendar import Calendar, Event, vCalAddress, vText

from app.booking.labels import DOCUMENTS, EXAM_NAMES
from app.booking.models import Booking, BookingStatus
from app.core.clock import utcnow
from app.core.errors import DomainError

UID_DOMAIN = "kezek.kz"


def booking_uid(booking: Booking) -> str:
    return f"booking-{booking.id}@{UID_DOMAIN}"


def booking_calendar(booking: Booking, *, organizer_email: str, now: datetime) -> bytes:
    slot, centre = booking.slot, booking.slot.centre
    cancelled = booking.status == BookingStatus.CANCELLED

    calendar = Calendar()
    calendar.add("prodid", "-//Kezek//Exam booking//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")

    event = Event()
    event.add("uid", booking_uid(booking))
    event.add("sequence", booking.ics_sequence)
    event.add("dtstamp", now)
    event.add("dtstart", slot.local_starts_at)
    event.add("dtend", slot.local_ends_at)
    event.add("summary", f"{EXAM_NAMES[slot.exam_type]} ({slot.category}) — {booking.ticket}")
    event.add("location", f"{centre.name}, {centre.address}")
    ticket_line = _("Ticket: %(ticket)s", ticket=booking.ticket)
    documents = [f"- {name}" for name in DOCUMENTS.values()]
    event.add("description", "\n".join([ticket_line, _("Bring with you:"), *documents]))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{organizer_email}")
    organizer.params["cn"] = vText(centre.name)
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{booking.user.email}")
    attendee.params["cn"] = vText(booking.user.full_name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    event.add("attendee", attendee)

    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def calendar_response(booking: Booking) -> Response:
    """The booking's calendar file as a download (site and API alike)."""
    if booking.ticket is None:
        raise DomainError(_l("Only a confirmed booking has a calendar event."), code="not-confirmed", status=409)
    body = booking_calendar(booking, organizer_email=current_app.config["CALENDAR_ORGANIZER_EMAIL"], now=utcnow())
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{booking.ticket}.ics"'
    return response
