"""Exam profiles (a licence category's exam: time, size, pass mark and topic quotas): finding them,
and editing them (admins in the web UI, operators with `flask exam profile-set`)."""

from __future__ import annotations

from collections import Counter

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from app.core.errors import FieldErrors
from app.exam.models import ExamProfile, Question, QuestionCategory, QuestionRevision, Topic


def all_profiles(session: Session) -> list[ExamProfile]:
    return list(session.scalars(select(ExamProfile).order_by(ExamProfile.code)))


def profile_by_code(session: Session, code: str) -> ExamProfile | None:
    return session.scalar(select(ExamProfile).where(ExamProfile.code == code))


def available_per_topic(session: Session, category: str) -> Counter:
    rows = session.execute(
        select(Topic.code, func.count(Question.id))
        .join(Question, Question.topic_id == Topic.id)
        .join(QuestionRevision, and_(QuestionRevision.question_id == Question.id, QuestionRevision.is_current))
        .join(QuestionCategory, QuestionCategory.question_id == Question.id)
        .where(Question.retired_at.is_(None), QuestionCategory.category == category)
        .group_by(Topic.code)
    )
    return Counter(dict(rows.all()))


def update_profile(
    session: Session,
    profile: ExamProfile,
    *,
    seconds: int | None = None,
    questions: int | None = None,
    pass_mark: int | None = None,
    quotas: dict[str, int] | None = None,
) -> None:
    """Change a profile; every rule is checked and all problems are reported together."""
    seconds = profile.seconds if seconds is None else seconds
    questions = profile.questions if questions is None else questions
    pass_mark = profile.pass_mark if pass_mark is None else pass_mark
    quotas = dict(profile.quotas if quotas is None else quotas)
    errors: dict[str, list] = {}
    if seconds < 60 or seconds > 4 * 3600:
        errors["seconds"] = [_l("The time must be between 1 minute and 4 hours.")]
    if questions < 1 or questions > 200:
        errors["questions"] = [_l("The number of questions must be between 1 and 200.")]
    if pass_mark < 1 or pass_mark > questions:
        errors["pass_mark"] = [_l("The pass mark must be between 1 and the number of questions.")]
    known = set(session.scalars(select(Topic.code)))
    if set(quotas) - known:
        errors["quotas"] = [_l("Unknown topics: %(topics)s", topics=", ".join(sorted(set(quotas) - known)))]
    elif any(count < 0 for count in quotas.values()):
        errors["quotas"] = [_l("A quota cannot be negative.")]
    elif sum(quotas.values()) != questions:
        errors["quotas"] = [
            _l(
                "The topic quotas add up to %(sum)s, but the exam has %(n)s questions.",
                sum=sum(quotas.values()),
                n=questions,
            )
        ]
    else:
        available = available_per_topic(session, profile.category)
        short = [code for code, count in quotas.items() if available[code] < count]
        if short:
            errors["quotas"] = [_l("Not enough questions in: %(topics)s", topics=", ".join(sorted(short)))]
    if errors:
        raise FieldErrors(errors)
    profile.seconds, profile.questions, profile.pass_mark = seconds, questions, pass_mark
    profile.quotas = {code: count for code, count in quotas.items() if count > 0}
