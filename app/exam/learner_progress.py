"""The learner's progress per question: seen, right, in "my mistakes"; and its FSRS card
(app.exam.spaced_repetition), which says when it is due again. Practice, mistakes and review draw
from it; practice answers, exams and answers practised offline feed it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.exam import spaced_repetition
from app.exam.models import AttemptMode, AttemptQuestion, QuestionProgress, ReviewCard
from app.exam.spaced_repetition import Outcome, in_category


def outcome_of(item: AttemptQuestion, now: datetime) -> Outcome:
    """An attempt's question as an answer; an unanswered exam question counts as wrong, now."""
    answered = item.chosen_option_id is not None
    return Outcome(
        question_id=item.question_id,
        correct=bool(item.is_correct),
        at=item.answered_at or now,
        seconds=(item.seconds_spent or None) if answered else None,
    )


def record_progress(session: Session, user_id: int, items: list[AttemptQuestion], now: datetime) -> None:
    """Update the learner's progress and FSRS cards from an attempt's questions."""
    record_outcomes(session, user_id, [outcome_of(item, now) for item in items], now)


def record_outcomes(session: Session, user_id: int, outcomes: Iterable[Outcome], now: datetime) -> None:
    """Update the learner's per-question progress and review their FSRS cards, oldest answer first."""
    outcomes = sorted(outcomes, key=lambda outcome: outcome.at)
    question_ids = {outcome.question_id for outcome in outcomes}
    existing = {
        progress.question_id: progress
        for progress in session.scalars(
            select(QuestionProgress).where(
                QuestionProgress.user_id == user_id, QuestionProgress.question_id.in_(question_ids)
            )
        )
    }
    for outcome in outcomes:
        progress = existing.get(outcome.question_id)
        if progress is None:
            progress = QuestionProgress(
                user_id=user_id,
                question_id=outcome.question_id,
                times_seen=0,
                times_correct=0,
                right_streak=0,
                in_mistakes=False,
            )
            session.add(progress)
            existing[outcome.question_id] = progress
        correct = outcome.correct
        progress.times_seen += 1
        progress.times_correct += 1 if correct else 0
        progress.last_seen_at = max(progress.last_seen_at or outcome.at, outcome.at)
        progress.last_correct = correct
        if correct:
            progress.right_streak += 1
            if progress.right_streak >= 2:
                progress.in_mistakes = False
        else:
            progress.right_streak = 0
            progress.in_mistakes = True
    spaced_repetition.review(session, user_id, outcomes, now)


def queue_sizes(session: Session, user_id: int, category: str, now: datetime) -> dict[str, int]:
    """How many questions wait in "my mistakes" and "due today" for a category."""
    mistakes = (
        select(func.count())
        .select_from(QuestionProgress)
        .where(QuestionProgress.user_id == user_id, QuestionProgress.in_mistakes)
    )
    due = select(func.count()).select_from(ReviewCard).where(ReviewCard.user_id == user_id, ReviewCard.due_at <= now)
    return {
        AttemptMode.MISTAKES: session.scalar(in_category(mistakes, QuestionProgress.question_id, category)) or 0,
        AttemptMode.REVIEW: session.scalar(in_category(due, ReviewCard.question_id, category)) or 0,
    }
