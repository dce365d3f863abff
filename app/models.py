"""Every model of every feature, imported so that the metadata (and Alembic) sees them all."""

from app.appeals.models import Appeal, AppealEvent, AppealSequence, Complaint
from app.audit.models import AuditEntry
from app.auth.models import ApiToken, PasswordReset, PendingRegistration, User, UserSession
from app.booking.models import Booking, BookingEvent, Slot, TicketSequence, WaitlistEntry
from app.centres.models import Centre
from app.exam.models import (
    Attempt,
    AttemptQuestion,
    ExamProfile,
    PracticeAnswer,
    Question,
    QuestionCategory,
    QuestionOption,
    QuestionProgress,
    QuestionRevision,
    ReviewCard,
    Topic,
)
from app.jobs.models import JobRun, SchedulerLease, apscheduler_jobs
from app.notify.models import OutboxMessage
from app.rounds.models import ReleaseRound, RoundRequest
from app.staff.models import CentreClosure, SlotTemplate
from app.stats.models import StatsClosureMonth, StatsMonth

__all__ = [
    "ApiToken",
    "Appeal",
    "AppealEvent",
    "AppealSequence",
    "Attempt",
    "AttemptQuestion",
    "AuditEntry",
    "Booking",
    "BookingEvent",
    "Centre",
    "CentreClosure",
    "Complaint",
    "ExamProfile",
    "JobRun",
    "OutboxMessage",
    "PasswordReset",
    "PendingRegistration",
    "PracticeAnswer",
    "Question",
    "QuestionCategory",
    "QuestionOption",
    "QuestionProgress",
    "QuestionRevision",
    "ReleaseRound",
    "ReviewCard",
    "RoundRequest",
    "SchedulerLease",
    "Slot",
    "SlotTemplate",
    "StatsClosureMonth",
    "StatsMonth",
    "TicketSequence",
    "Topic",
    "User",
    "UserSession",
    "WaitlistEntry",
    "apscheduler_jobs",
]
