"""Every model of every feature, imported so that the metadata (and Alembic) sees them all."""

from app.auth.models import ApiToken, User
from app.booking.models import Centre
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

__all__ = [
    "ApiToken",
    "Attempt",
    "AttemptQuestion",
    "Centre",
    "ExamProfile",
    "Question",
    "QuestionCategory",
    "QuestionOption",
    "QuestionProgress",
    "QuestionRevision",
    "Topic",
    "User",
]
