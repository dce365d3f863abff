"""Filing an appeal: the receipt (number, date and time) is issued at once by the system.

An appeal is not refused on its merits: filing checks that the form is complete, that a booking
named is the applicant's, and two abuse limits — no second open appeal with the same subject,
booking and essence, and at most `APPEAL_DAILY_LIMIT` appeals per person in 24 hours.

Like every appeal step, filing never commits (the view commits once) and queues one message to the
applicant in the same transaction. The deadlines come from the pure `deadlines` module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.appeals import deadlines
from app.appeals.case_events import notify_applicant, record_event
from app.appeals.models import OPEN_STATUSES, Appeal, AppealSequence, AppealStatus, Subject
from app.appeals.step_rules import ESSENCE_MAX, POSTAL_ADDRESS_MAX, local_day, required_text
from app.auth.models import User
from app.booking.holds import own_booking
from app.booking.models import Booking, BookingStatus
from app.centres.models import Centre
from app.centres.services import find_centre
from app.core.acting import Acting
from app.core.database import insert_for
from app.core.errors import DomainError, FieldErrors

RESULT_STATUSES = (BookingStatus.PASSED, BookingStatus.FAILED)
DAY = timedelta(hours=24)


@dataclass(frozen=True)
class Filing:
    subject: str
    essence: str
    postal_address: str
    booking_id: int | None = None
    centre_code: str | None = None  # the body addressed, when no booking names it
    confirmed: bool = False


def subject_of(booking: Booking) -> Subject:
    """An exam result is appealed from a booking with a result; anything else concerns the booking."""
    return Subject.EXAM_RESULT if booking.status in RESULT_STATUSES else Subject.BOOKING


def file_appeal(acting: Acting, filing: Filing) -> Appeal:
    """File an appeal and issue its receipt. The competent centre is the booking's; without a
    booking it goes to the centre the applicant addresses (which refers it on if need be)."""
    errors: dict[str, list] = {}
    if filing.subject not in set(Subject):
        errors["subject"] = [_l("Choose what the appeal is about.")]
    essence = required_text(errors, "essence", filing.essence, ESSENCE_MAX)
    postal_address = required_text(errors, "postal_address", filing.postal_address, POSTAL_ADDRESS_MAX)
    if filing.confirmed is not True:
        errors["confirmed"] = [_l("Confirm the appeal: it takes the place of your signature.")]
    booking = None
    if filing.booking_id is not None:
        booking = own_booking(acting.session, acting.actor, filing.booking_id)
        if booking is None:
            raise DomainError(_l("There is no such booking of yours."), code="booking-not-found", status=404)
        if filing.subject == Subject.EXAM_RESULT and booking.status not in RESULT_STATUSES:
            errors["booking_id"] = [_l("This booking has no exam result to appeal.")]
        centre = booking.centre
    elif filing.subject == Subject.EXAM_RESULT:
        errors["booking_id"] = [_l("Name the exam booking whose result you appeal.")]
    else:
        centre = find_centre(acting.session, filing.centre_code) if filing.centre_code else None
        if centre is None:
            errors["centre"] = [_l("Choose the exam centre you address.")]
    if errors:
        raise FieldErrors(errors)
    _check_abuse_limits(acting.session, acting.actor, filing, essence, acting.now)

    received_on = local_day(centre, acting.now)
    appeal = Appeal(
        receipt_number=_next_receipt_number(acting.session, centre, received_on.year),
        user=acting.actor,
        booking=booking,
        subject=filing.subject,
        addressed_centre=centre,
        centre=centre,
        applicant_name=acting.actor.full_name,
        applicant_iin=acting.actor.iin,
        postal_address=postal_address,
        essence=essence,
        confirmed_at=acting.now,
        status=AppealStatus.RECEIVED.value,
        received_at=acting.now,
        received_on=received_on,
        refer_due=deadlines.refer_by(received_on),
        decision_due=deadlines.decide_by(received_on),
    )
    acting.session.add(appeal)
    acting.session.flush()
    record_event(appeal, "received", acting.now)
    notify_applicant(acting.session, appeal, "received", received_at=acting.now.isoformat())
    return appeal


def _same_text(text: str) -> str:
    return " ".join(text.split()).casefold()


def _check_abuse_limits(session: Session, user: User, filing: Filing, essence: str, now: datetime) -> None:
    """One open appeal per matter (a double submit or a copy is refused with the first one's
    number), and a daily number per person, so that the centres' queues cannot be flooded."""
    open_ones = session.scalars(
        select(Appeal).where(
            Appeal.user_id == user.id,
            Appeal.subject == filing.subject,
            Appeal.booking_id.is_(None) if filing.booking_id is None else Appeal.booking_id == filing.booking_id,
            Appeal.status.in_(OPEN_STATUSES),
        )
    )
    if same := next((appeal for appeal in open_ones if _same_text(appeal.essence) == _same_text(essence)), None):
        raise DomainError(
            _l(
                "You have already filed this appeal: %(number)s. It is still being considered.",
                number=same.receipt_number,
            ),
            code="appeal-duplicate",
            status=409,
            appeal=same.id,
        )
    filed = session.scalar(
        select(func.count()).select_from(Appeal).where(Appeal.user_id == user.id, Appeal.received_at > now - DAY)
    )
    if filed >= current_app.config["APPEAL_DAILY_LIMIT"]:
        raise DomainError(
            _l("You have filed the most appeals allowed in 24 hours. Please file this one tomorrow."),
            code="appeal-limit",
            status=429,
        )


def _next_receipt_number(session: Session, centre: Centre, year: int) -> str:
    """APL-ALM-2026-000123: receiving centre, year, that centre's running number in the year. An
    atomic upsert of the counter, so concurrent filings never share a number."""
    table = AppealSequence.__table__
    number = session.scalar(
        insert_for(session, AppealSequence)
        .values(centre_id=centre.id, year=year, last=1)
        .on_conflict_do_update(index_elements=["centre_id", "year"], set_={"last": table.c.last + 1})
        .returning(table.c.last)
    )
    return f"APL-{centre.code}-{year}-{number:06d}"
