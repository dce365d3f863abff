"""Every model of every feature, imported so that the metadata (and Alembic) sees them all."""

from app.appeals.models import Appeal, AppealEvent, AppealSequence, Complaint
from app.auth.models import ApiToken, User
from app.booking.models import Booking, BookingEvent, Centre, Slot, TicketSequence, WaitlistEntry
from app.exam.models import (
    Attempt,
    AttemptQuestion,
    ExamProfile,
    Question,
    QuestionCategory,
    QuestionOption,
    QuestionProgress,
    QuestionRevision,
    Topic,
)
from app.notify.models import OutboxMessage

__all__ = [
    "ApiToken",
    "Appeal",
    "AppealEvent",
    "AppealSequence",
    "Attempt",
    "AttemptQuestion",
    "Booking",
    "BookingEvent",
    "Centre",
    "Complaint",
    "ExamProfile",
    "OutboxMessage",
    "Question",
    "QuestionCategory",
    "QuestionOption",
    "QuestionProgress",
    "QuestionRevision",
    "Slot",
    "TicketSequence",
    "Topic",
    "User",
    "WaitlistEntry",
]
