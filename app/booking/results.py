"""An exam's outcome on the booking: it feeds the retake rules, and the applicant is told."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.booking.models import Booking, BookingStatus
from app.booking.places import notify_applicant, record_event
from app.core.errors import DomainError
from app.core.locking import lock


def record_result(
    session: Session,
    booking: Booking,
    passed: bool,
    now: datetime,
    *,
    score: int | None = None,
    penalty_points: int | None = None,
) -> Booking:
    """The exam's outcome (staff record it) with the theory score or the practical's penalty points;
    it feeds the retake rules, and the applicant gets an "exam-result" message."""
    lock(session, booking, "status")
    if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.ATTENDED):
        raise DomainError(_l("Only a confirmed exam can get a result."), code="no-exam-to-record", status=409)
    booking.status = (BookingStatus.PASSED if passed else BookingStatus.FAILED).value
    booking.result_at = now
    booking.score = score
    booking.penalty_points = penalty_points
    record_event(booking, booking.status, now)
    notify_applicant(session, booking, "exam-result", passed=passed, score=score, penalty_points=penalty_points)
    return booking
