"""Check-in by ticket: the booking a scanned QR code (signed) or a typed ticket number names, at the
centre the staff member is checking in for. A forged code and another centre's ticket are refused
with a message that says which, so staff know whether to send the applicant elsewhere."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.booking.models import Booking
from app.booking.ticket_codes import BadTicketCode, ticket_from
from app.centres.models import Centre
from app.core.errors import DomainError


def find_booking(session: Session, centre: Centre, text: str, secret: str) -> Booking:
    """The booking of `centre` that the scanned or typed `text` names, or DomainError with the reason."""
    try:
        ticket, _signed = ticket_from(text, secret)
    except BadTicketCode:
        if "." in (text or ""):
            raise DomainError(
                _l("This code was not issued by Kezek (its signature does not match): check the applicant's papers."),
                code="ticket-code-forged",
                status=422,
            ) from None
        raise DomainError(
            _l("Scan the QR code or type a ticket number such as ALM-T-20261201-0042."),
            code="ticket-code-unreadable",
            status=422,
        ) from None
    booking = session.scalar(select(Booking).where(Booking.ticket == ticket))
    if booking is None:
        raise DomainError(_l("No booking has the ticket %(ticket)s.", ticket=ticket), code="ticket-unknown", status=404)
    if booking.slot.centre_id != centre.id:
        raise DomainError(
            _l(
                "Ticket %(ticket)s is for another exam centre (%(centre)s): the applicant must go there.",
                ticket=ticket,
                centre=booking.slot.centre.code,
            ),
            code="ticket-other-centre",
            status=409,
        )
    return booking
