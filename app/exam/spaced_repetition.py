"""Spaced repetition with FSRS (the `fsrs` package): one card per learner and question.

Every practice and exam answer reviews the question's card: a wrong answer is rated Again, a right
one Good, or Hard when it took longer than the exam's own pace allows (`SLOW_SECONDS`), as a right
answer found slowly is remembered less firmly. FSRS then keeps each card's stability (the days
until recall falls to 90 %) and difficulty, and schedules the next review where the predicted
recall falls to the desired retention (`KEZEK_FSRS_RETENTION`, 0.9 unless set). "Due today" is
every card whose due time has come.

Intervals are not fuzzed: the schedule, the review queue and the readiness projection stay
reproducible, and a learner's reviews are few enough that no load needs spreading.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from flask import current_app, has_app_context
from fsrs import Card, Rating, Scheduler, State
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.exam.models import Question, QuestionCategory, ReviewCard

DEFAULT_RETENTION = 0.9
# The official exam gives 40 minutes for 40 questions: a right answer slower than that pace was a
# struggle, so it counts as Hard rather than Good.
SLOW_SECONDS = 60


@dataclass(frozen=True)
class Outcome:
    """One answer to one question, as spaced repetition sees it."""

    question_id: int
    correct: bool
    at: datetime
    seconds: int | None = None  # time taken, where known


def rating_for(correct: bool, seconds: int | None = None) -> Rating:
    if not correct:
        return Rating.Again
    if seconds is not None and seconds > SLOW_SECONDS:
        return Rating.Hard
    return Rating.Good


def desired_retention() -> float:
    if has_app_context():
        return float(current_app.config.get("FSRS_RETENTION", DEFAULT_RETENTION))
    return DEFAULT_RETENTION


@lru_cache(maxsize=8)
def scheduler(retention: float | None = None) -> Scheduler:
    return Scheduler(desired_retention=retention or DEFAULT_RETENTION, enable_fuzzing=False)


def current_scheduler() -> Scheduler:
    return scheduler(desired_retention())


def _utc(moment: datetime | None) -> datetime | None:
    # fsrs insists on datetime.timezone.utc itself; our columns give UTC-aware values.
    return moment.astimezone(UTC) if moment is not None else None


def card_of(row: ReviewCard) -> Card:
    return Card(
        card_id=row.question_id,
        state=State(row.state),
        step=row.step,
        stability=row.stability,
        difficulty=row.difficulty,
        due=_utc(row.due_at),
        last_review=_utc(row.last_review_at),
    )


def _store(row: ReviewCard, card: Card) -> None:
    row.state = int(card.state)
    row.step = card.step
    row.stability = card.stability
    row.difficulty = card.difficulty
    row.due_at = card.due
    row.last_review_at = card.last_review


def review(session: Session, user_id: int, outcomes: Iterable[Outcome], now: datetime) -> None:
    """Review the learner's cards with these answers, oldest first. An answer dated before the
    card's last review (an offline answer synced late) counts as made just after it, and none
    counts as made in the future."""
    outcomes = sorted(outcomes, key=lambda outcome: outcome.at)
    if not outcomes:
        return
    rows = {
        row.question_id: row
        for row in session.scalars(
            select(ReviewCard).where(
                ReviewCard.user_id == user_id,
                ReviewCard.question_id.in_({outcome.question_id for outcome in outcomes}),
            )
        )
    }
    schedule = current_scheduler()
    for outcome in outcomes:
        row = rows.get(outcome.question_id)
        if row is None:
            row = ReviewCard(user_id=user_id, question_id=outcome.question_id, state=int(State.Learning), reviews=0)
            row.step, row.due_at = 0, now
            session.add(row)
            rows[outcome.question_id] = row
        card = card_of(row)
        at = min(_utc(outcome.at), _utc(now))
        if card.last_review is not None:
            at = max(at, card.last_review)
        card, _ = schedule.review_card(
            card,
            rating_for(outcome.correct, outcome.seconds),
            review_datetime=at,
            review_duration=outcome.seconds * 1000 if outcome.seconds is not None else None,
        )
        _store(row, card)
        row.reviews = (row.reviews or 0) + 1


def recall(card: Card, now: datetime, schedule: Scheduler | None = None) -> float:
    """FSRS's predicted probability of recalling the card now (0 for a card never reviewed)."""
    return (schedule or current_scheduler()).get_card_retrievability(card, _utc(now))


def in_category(statement, question_id, category: str):
    """The statement restricted to the category's active questions, joined on `question_id`."""
    return (
        statement.join(QuestionCategory, QuestionCategory.question_id == question_id)
        .join(Question, Question.id == question_id)
        .where(QuestionCategory.category == category, Question.retired_at.is_(None))
    )


def due_cards(session: Session, user_id: int, category: str, now: datetime) -> list[ReviewCard]:
    """The learner's cards due by now, of the category's active questions, most overdue first."""
    due = select(ReviewCard).where(ReviewCard.user_id == user_id, ReviewCard.due_at <= now)
    return list(
        session.scalars(
            in_category(due, ReviewCard.question_id, category).order_by(ReviewCard.due_at, ReviewCard.question_id)
        )
    )
