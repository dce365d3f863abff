"""The exam day: the roster, check-in, no-shows and results."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, insert, select, update
from sqlalchemy.orm import Session, joinedload
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


@dataclass(frozen=True)
class SlotCounts:
    """One exam time at a glance: everyone on its roster, checked in, absent, passed."""

    booked: int = 0
    checked_in: int = 0
    no_show: int = 0
    passed: int = 0


def slot_counts(session: Session, slot_ids: Sequence[int]) -> dict[int, SlotCounts]:
    """The counts of every slot in `slot_ids`, in one grouped statement."""
    if not slot_ids:
        return {}
    rows = session.execute(
        select(
            Booking.slot_id,
            func.count(),
            func.count(Booking.checked_in_at),
            func.sum(case((Booking.status == BookingStatus.NO_SHOW, 1), else_=0)),
            func.sum(case((Booking.status == BookingStatus.PASSED, 1), else_=0)),
        )
        .where(Booking.slot_id.in_(slot_ids), Booking.status.in_(ROSTER_STATUSES))
        .group_by(Booking.slot_id)
    ).tuples()
    return {slot_id: SlotCounts(*(int(value or 0) for value in values)) for slot_id, *values in rows}


def next_slot(slots: Sequence[Slot], now: datetime) -> Slot | None:
    """The first open exam time still to start (the page highlights it)."""
    return next((slot for slot in slots if slot.blocked_at is None and slot.starts_at > now), None)


STEP_REASONS = {
    "check-in-not-yet": _l("Check-in opens on the exam day."),
    "check-in-over": _l("Check-in is closed: the exam is over."),
    "exam-not-started": _l("The result can be entered once the exam has started."),
}


def step(booking: Booking, today: date, now: datetime) -> tuple[str | None, str | None]:
    """(action allowed now or None, why not as text or None) for `booking` (see rules.exam_day_step)."""
    slot = booking.slot
    action, reason = rules.exam_day_step(booking.status, slot.local_date, today, slot.starts_at, slot.ends_at, now)
    return action, (str(STEP_REASONS[reason]) if reason else None)


def day_roster(session: Session, slots: Sequence[Slot], status: str | None = None) -> list[Booking]:
    """Everyone on the rosters of `slots` (one statement, applicants loaded with them), by time and
    ticket; only those with `status` when given."""
    if not slots:
        return []
    query = (
        select(Booking)
        .join(Booking.slot)
        .options(joinedload(Booking.user))
        .where(Booking.slot_id.in_([slot.id for slot in slots]), Booking.status.in_(ROSTER_STATUSES))
        .order_by(Slot.starts_at, Booking.ticket, Booking.id)
    )
    if status:
        query = query.where(Booking.status == status)
    return list(session.scalars(query).unique())


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
