"""What a learner's devices need to practise offline and what the progress page shows: the due
questions (FSRS), "my mistakes", counts per topic and the readiness estimate."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.exam import readiness_estimate
from app.exam.models import ExamProfile, PracticeAnswer, Question, QuestionCategory, QuestionProgress, ReviewCard, Topic
from app.exam.spaced_repetition import due_cards, in_category


def profile_for(session: Session, category: str) -> ExamProfile | None:
    return session.scalar(select(ExamProfile).where(ExamProfile.category == category).order_by(ExamProfile.code))


def due(session: Session, user_id: int, category: str, now: datetime) -> dict:
    mistakes = select(QuestionProgress.question_id).where(
        QuestionProgress.user_id == user_id, QuestionProgress.in_mistakes
    )
    mistakes = in_category(mistakes, QuestionProgress.question_id, category).order_by(QuestionProgress.question_id)
    return {
        "category": category,
        "due": [
            {"question_id": card.question_id, "due_at": card.due_at}
            for card in due_cards(session, user_id, category, now)
        ],
        "mistakes": list(session.scalars(mistakes)),
    }


def progress(session: Session, user_id: int, profile: ExamProfile, now: datetime) -> dict:
    category = profile.category
    in_category = (
        select(Question.id)
        .join(QuestionCategory, QuestionCategory.question_id == Question.id)
        .where(QuestionCategory.category == category, Question.retired_at.is_(None))
    )
    sizes = dict(
        session.execute(
            select(Question.topic_id, func.count()).where(Question.id.in_(in_category)).group_by(Question.topic_id)
        ).all()
    )
    answered = {
        topic_id: (seen, right, mistakes, questions)
        for topic_id, seen, right, mistakes, questions in session.execute(
            select(
                Question.topic_id,
                func.sum(QuestionProgress.times_seen),
                func.sum(QuestionProgress.times_correct),
                func.sum(case((QuestionProgress.in_mistakes, 1), else_=0)),
                func.count(),
            )
            .select_from(QuestionProgress)
            .join(Question, Question.id == QuestionProgress.question_id)
            .where(QuestionProgress.user_id == user_id, QuestionProgress.question_id.in_(in_category))
            .group_by(Question.topic_id)
        )
    }
    due_by_topic = dict(
        session.execute(
            select(Question.topic_id, func.count())
            .select_from(ReviewCard)
            .join(Question, Question.id == ReviewCard.question_id)
            .where(ReviewCard.user_id == user_id, ReviewCard.due_at <= now, ReviewCard.question_id.in_(in_category))
            .group_by(Question.topic_id)
        ).all()
    )
    topics = []
    for topic in session.scalars(select(Topic).where(Topic.id.in_(sizes)).order_by(Topic.position)):
        seen, right, mistakes, practised = answered.get(topic.id, (0, 0, 0, 0))
        topics.append(
            {
                "topic": topic.code,
                "name": topic.name,
                "questions": sizes[topic.id],
                "practised": int(practised or 0),
                "answers": int(seen or 0),
                "right": int(right or 0),
                "mistakes": int(mistakes or 0),
                "due": int(due_by_topic.get(topic.id, 0)),
            }
        )
    estimate = readiness_estimate.readiness(session, user_id, profile, now)
    stored = session.scalar(select(func.count(PracticeAnswer.id)).where(PracticeAnswer.user_id == user_id))
    return {
        "category": category,
        "topics": topics,
        "readiness": {
            "profile": profile.code,
            "probability": estimate.probability,
            "pass_mark": profile.pass_mark,
            "questions": profile.questions,
            "answers_per_day": estimate.pace,
            "days_to_ready": estimate.days_to_ready,
        },
        "device_answers": stored or 0,
    }
