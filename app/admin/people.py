"""Finding a person to help them: by e-mail, by their full IIN (shown masked afterwards) or by a
ticket number, and everything the service holds about them that support needs — bookings,
waitlists, appeals, messages — each list in one statement. Every look is written to the audit log
(who looked at whom, and by what), never the IIN itself."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.appeals.models import Appeal
from app.audit.services import record as audit
from app.auth.models import User
from app.booking.models import Booking, Slot, WaitlistEntry
from app.booking.ticket_codes import TICKET
from app.core.acting import Acting
from app.notify.models import OutboxMessage

MESSAGES_SHOWN = 50


class FoundBy(StrEnum):
    EMAIL = "email"
    IIN = "iin"
    TICKET = "ticket"


def kind_of(query: str) -> FoundBy | None:
    """What the text typed into the look-up is: an e-mail, a full IIN, a ticket number, or nothing."""
    query = query.strip()
    if "@" in query:
        return FoundBy.EMAIL
    if query.isdigit() and len(query) == 12:
        return FoundBy.IIN
    if TICKET.match(query.upper()):
        return FoundBy.TICKET
    return None


def find_person(session: Session, query: str) -> tuple[User | None, FoundBy | None]:
    """The account the query names (exact matches only: no browsing people by part of an IIN)."""
    found_by = kind_of(query)
    query = query.strip()
    if found_by == FoundBy.EMAIL:
        user = session.scalar(select(User).where(func.lower(User.email) == query.lower()))
    elif found_by == FoundBy.IIN:
        user = session.scalar(select(User).where(User.iin == query))
    elif found_by == FoundBy.TICKET:
        user = session.scalar(
            select(User).join(Booking, Booking.user_id == User.id).where(Booking.ticket == query.upper())
        )
    else:
        user = None
    return user, found_by


@dataclass(frozen=True)
class PersonFile:
    user: User
    bookings: list[Booking]
    waitlist: list[WaitlistEntry]
    appeals: list[Appeal]
    messages: list[OutboxMessage]


def person_file(acting: Acting, user: User, found_by: FoundBy | str) -> PersonFile:
    """What support sees of `user`; the look is audited in the caller's transaction."""
    session = acting.session
    audit(acting, "person-viewed", user, details={"found_by": str(found_by)})
    return PersonFile(
        user=user,
        bookings=list(
            session.scalars(
                select(Booking)
                .join(Booking.slot)
                .where(Booking.user_id == user.id)
                .order_by(Slot.starts_at.desc(), Booking.id.desc())
            )
        ),
        waitlist=list(
            session.scalars(
                select(WaitlistEntry)
                .where(WaitlistEntry.user_id == user.id)
                .order_by(WaitlistEntry.created_at.desc(), WaitlistEntry.id.desc())
            )
        ),
        appeals=list(
            session.scalars(
                select(Appeal).where(Appeal.user_id == user.id).order_by(Appeal.received_at.desc(), Appeal.id.desc())
            )
        ),
        messages=list(
            session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.user_id == user.id)
                .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
                .limit(MESSAGES_SHOWN)
            )
        ),
    )
