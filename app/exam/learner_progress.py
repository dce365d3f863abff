"""The learner's progress per question: seen, right, in "my mistakes", and when it is due again
(spaced repetition in Leitner boxes). Practice, mistakes and review draw from it; exams feed it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.exam.models import AttemptMode, AttemptQuestion, Question, QuestionCategory, QuestionProgress

# Leitner boxes: days until the next review after a right answer puts a question in that box.
LEITNER_INTERVAL_DAYS = {1: 1, 2: 3, 3: 7, 4: 14, 5: 30}


def next_leitner(box: int, correct: bool, now: datetime) -> tuple[int, datetime]:
    """The box and next due time after an answer: right moves up a box, wrong back to box 1."""
    new_box = min(box + 1, max(LEITNER_INTERVAL_DAYS)) if correct else 1
    return new_box, now + timedelta(days=LEITNER_INTERVAL_DAYS[new_box])


def record_progress(session: Session, user_id: int, items: list[AttemptQuestion], now: datetime) -> None:
    """Update the learner's per-question progress; an unanswered exam question counts as wrong."""
    question_ids = [item.question_id for item in items]
    existing = {
        progress.question_id: progress
        for progress in session.scalars(
            select(QuestionProgress).where(
                QuestionProgress.user_id == user_id, QuestionProgress.question_id.in_(question_ids)
            )
        )
    }
    for item in items:
        progress = existing.get(item.question_id)
        if progress is None:
            progress = QuestionProgress(
                user_id=user_id,
                question_id=item.question_id,
                times_seen=0,
                times_correct=0,
                box=0,
                right_streak=0,
                in_mistakes=False,
            )
            session.add(progress)
            existing[item.question_id] = progress
        correct = bool(item.is_correct)
        progress.times_seen += 1
        progress.times_correct += 1 if correct else 0
        progress.last_seen_at = now
        progress.last_correct = correct
        if correct:
            progress.right_streak += 1
            if progress.right_streak >= 2:
                progress.in_mistakes = False
        else:
            progress.right_streak = 0
            progress.in_mistakes = True
        progress.box, progress.due_at = next_leitner(progress.box, correct, now)


def queue_sizes(session: Session, user_id: int, category: str, now: datetime) -> dict[str, int]:
    """How many questions wait in "my mistakes" and "due today" for a category."""
    base = (
        select(func.count())
        .select_from(QuestionProgress)
        .join(QuestionCategory, QuestionCategory.question_id == QuestionProgress.question_id)
        .join(Question, Question.id == QuestionProgress.question_id)
        .where(
            QuestionProgress.user_id == user_id,
            QuestionCategory.category == category,
            Question.retired_at.is_(None),
        )
    )
    return {
        AttemptMode.MISTAKES: session.scalar(base.where(QuestionProgress.in_mistakes)) or 0,
        AttemptMode.REVIEW: session.scalar(base.where(QuestionProgress.due_at <= now)) or 0,
    }
