"""The exam day: the roster, check-in, no-shows and results."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from app.audit.services import record as audit
from app.booking import results
from app.booking.labels import DOCUMENTS
from app.booking.models import Booking, BookingEvent, BookingStatus, ExamType, Slot
from app.booking.places import record_event
from app.core.acting import Acting
from app.core.errors import DomainError, FieldErrors
from app.core.locking import lock
from app.staff import rules

# On the roster: everyone who holds a confirmed place or whose exam day has been recorded.
ROSTER_STATUSES = (
    BookingStatus.CONFIRMED,
    BookingStatus.ATTENDED,
    BookingStatus.REFUSED,
    BookingStatus.NO_SHOW,
    BookingStatus.PASSED,
    BookingStatus.FAILED,
)


def roster(session: Session, slot: Slot) -> list[Booking]:
    """Who is expected at the exam, by ticket number (the order people were confirmed in)."""
    return list(
        session.scalars(
            select(Booking)
            .where(Booking.slot_id == slot.id, Booking.status.in_(ROSTER_STATUSES))
            .order_by(Booking.ticket, Booking.id)
        )
    )


def check_in(acting: Acting, booking: Booking, documents: Mapping[str, bool]) -> Booking:
    """Check the documents the licence service requires. All present: admitted (attended). One
    missing: not admitted, recorded with what was missing (the applicant may come back with it
    while the exam is on). The caller tells people which by `booking.missing_documents`."""
    session, now = acting.session, acting.now
    lock(session, booking, "status", "checked_in_at")
    slot = booking.slot
    if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.REFUSED):
        raise DomainError(_l("Only a confirmed booking can be checked in."), code="not-checkable", status=409)
    if slot.local_date != slot.centre.local(now).date() or slot.ends_at <= now:
        raise DomainError(
            _l("Check-in is open on the exam day until the exam ends."), code="check-in-closed", status=409
        )
    shown = {name: bool(documents.get(name)) for name in DOCUMENTS}
    booking.documents = shown
    booking.checked_in_at = now
    admitted = all(shown.values())
    booking.status = (BookingStatus.ATTENDED if admitted else BookingStatus.REFUSED).value
    record_event(booking, "checked-in" if admitted else "refused", now)
    audit(
        acting,
        "checked-in" if admitted else "not-admitted",
        booking,
        details={"missing": booking.missing_documents},
    )
    return booking


def mark_no_shows(session: Session, now: datetime, slot: Slot | None = None) -> int:
    """Confirmed bookings of exams that are over and nobody checked in: no-shows (one UPDATE for all;
    the scheduler's job calls it, staff may for one slot). Returns how many."""
    over = select(Slot.id).where(Slot.ends_at <= now)
    if slot is not None:
        over = over.where(Slot.id == slot.id)
    marked = session.execute(
        update(Booking)
        .where(Booking.status == BookingStatus.CONFIRMED, Booking.slot_id.in_(over))
        .values(status=BookingStatus.NO_SHOW.value)
        .returning(Booking.id, Booking.slot_id)
        .execution_options(synchronize_session=False)
    ).all()
    if marked:
        session.execute(
            insert(BookingEvent),
            [{"booking_id": id_, "slot_id": slot_id, "action": "no-show", "at": now} for id_, slot_id in marked],
        )
        for id_, _ in marked:  # bookings already in the session still say "confirmed"
            if (loaded := session.identity_map.get(identity_key(Booking, id_))) is not None:
                session.expire(loaded)
    return len(marked)


def mark_slot_no_shows(acting: Acting, slot: Slot) -> int:
    if slot.ends_at > acting.now:
        raise DomainError(_l("No-shows can be marked only after the exam ends."), code="slot-not-over", status=409)
    count = mark_no_shows(acting.session, acting.now, slot)
    audit(acting, "no-shows-marked", slot, details={"count": count})
    return count


RESULT_PROBLEMS = {
    "score-required": _l("Enter the number of right answers (0 to 40)."),
    "score-out-of-range": _l("The theory exam has 40 questions: enter 0 to 40 right answers."),
    "score-contradicts-result": _l(
        "With %(mark)s or more right answers of 40 the theory exam is passed, otherwise not."
    ),
    "points-negative": _l("Penalty points cannot be negative."),
}


def record_result(acting: Acting, booking: Booking, passed: bool, points: int | None) -> Booking:
    """Theory: `points` are right answers out of 40 (pass at 32); practical: penalty points. The booking
    feature records it, so eligibility and retake waits follow, and the applicant is told."""
    session, now = acting.session, acting.now
    lock(session, booking, "status")
    if booking.status != BookingStatus.ATTENDED:
        raise DomainError(
            _l("Only an applicant who was checked in and admitted can get a result."),
            code="not-admitted",
            status=409,
        )
    if booking.slot.starts_at > now:
        raise DomainError(_l("The exam has not started yet."), code="exam-not-started", status=409)
    if problem := rules.result_problem(booking.exam_type, passed, points):
        raise FieldErrors({"points": [RESULT_PROBLEMS[problem] % {"mark": rules.THEORY_PASS_MARK}]})
    theory = booking.exam_type == ExamType.THEORY
    results.record_result(
        session,
        booking,
        passed,
        now,
        score=points if theory else None,
        penalty_points=None if theory else points,
    )
    audit(
        acting,
        "result-recorded",
        booking,
        details={"passed": passed, "points": points},
    )
    return booking
