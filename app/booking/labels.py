"""Names people read for the booking domain's codes (statuses, exams, history, documents)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.booking.models import BookingStatus, ExamType

EXAM_NAMES = {
    ExamType.THEORY: _l("Theory exam"),
    ExamType.PRACTICAL: _l("Practical exam"),
}

STATUS_NAMES = {
    BookingStatus.HELD: _l("Held"),
    BookingStatus.CONFIRMED: _l("Confirmed"),
    BookingStatus.CANCELLED: _l("Cancelled"),
    BookingStatus.EXPIRED: _l("Expired"),
    BookingStatus.ATTENDED: _l("Attended"),
    BookingStatus.NO_SHOW: _l("Did not come"),
    BookingStatus.PASSED: _l("Passed"),
    BookingStatus.FAILED: _l("Failed"),
    BookingStatus.REFUSED: _l("Not admitted"),
}

# What happened to a booking, for its history (BookingEvent.action).
ACTION_NAMES = {
    "held": _l("Place held"),
    "confirmed": _l("Booking confirmed"),
    "rescheduled": _l("Moved to this time"),
    "cancelled": _l("Cancelled"),
    "expired": _l("Hold expired"),
    "passed": _l("Exam passed"),
    "failed": _l("Exam failed"),
    "blocked": _l("Cancelled by the centre"),
    "checked-in": _l("Checked in"),
    "refused": _l("Not admitted"),
    "no-show": _l("Did not come"),
}

# The documents the licence service checks at the exam (staff check them in).
DOCUMENTS = {
    "identity": _l("Identity document"),
    "medical": _l("Medical certificate"),
    "fee": _l("State-fee receipt"),
    "school": _l("Driving-school certificate"),
}
