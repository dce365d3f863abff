"""Finishing an attempt and scoring it, and what is kept afterwards.

The server owns the clock: an exam's deadline is stored when it starts, and an expired exam is
finished by the server on its next access (`finish_if_expired`) or by the scheduler's job
`finish_expired_attempts`, scored as at its deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.core.locking import lock
from app.exam.attempt_access import ShownQuestion
from app.exam.learner_progress import record_progress
from app.exam.models import Attempt, AttemptMode, AttemptStatus, Topic


def finish_if_expired(session: Session, attempt: Attempt, now: datetime) -> bool:
    """Finish an exam whose time ran out, on its first access after the deadline; True if it did."""
    if attempt.is_open and attempt.deadline is not None and now >= attempt.deadline:
        finish_attempt(session, attempt, now, expired=True)
        return True
    return False


def finish_attempt(session: Session, attempt: Attempt, now: datetime, *, expired: bool = False) -> Attempt:
    """Finish the attempt once: a second finish at the same time (a double click, the deadline's
    job) waits for the lock and then finds it finished."""
    lock(session, attempt)
    return _finish(session, attempt, now, expired=expired)


def _finish(session: Session, attempt: Attempt, now: datetime, *, expired: bool) -> Attempt:
    if not attempt.is_open:
        return attempt
    items = attempt.items
    attempt.correct = sum(1 for item in items if item.is_correct)
    attempt.finished_at = min(now, attempt.deadline) if expired and attempt.deadline else now
    attempt.status = AttemptStatus.EXPIRED if expired else AttemptStatus.FINISHED
    if attempt.mode == AttemptMode.EXAM:
        attempt.passed = attempt.correct >= (attempt.pass_mark or 0)
        if attempt.user_id is not None:
            record_progress(session, attempt.user_id, items, now)
    return attempt


def finish_expired_attempts(session: Session, now: datetime) -> int:
    """Finish every exam whose deadline has passed (the scheduler's job); returns how many."""
    expired = session.scalars(
        select(Attempt)
        .where(Attempt.status == AttemptStatus.IN_PROGRESS, Attempt.deadline.is_not(None), Attempt.deadline <= now)
        .options(selectinload(Attempt.items))
        .with_for_update(skip_locked=True)
    ).all()
    for attempt in expired:  # locked by the query above
        _finish(session, attempt, now, expired=True)
    return len(expired)


@dataclass(frozen=True)
class TopicScore:
    topic: Topic
    correct: int
    total: int


@dataclass(frozen=True)
class Result:
    correct: int
    total: int
    answered: int
    passed: bool | None
    pass_mark: int | None
    seconds_used: int
    by_topic: list[TopicScore]

    @property
    def mistakes(self) -> int:
        return self.total - self.correct


def result_of(attempt: Attempt, items: list[ShownQuestion]) -> Result:
    scores: dict[int, list] = {}
    for item in items:
        topic = item.topic
        entry = scores.setdefault(topic.id, [topic, 0, 0])
        entry[1] += 1 if item.is_correct else 0
        entry[2] += 1
    end = attempt.finished_at or attempt.started_at
    return Result(
        correct=sum(1 for item in items if item.is_correct),
        total=len(items),
        answered=sum(1 for item in items if item.answered),
        passed=attempt.passed,
        pass_mark=attempt.pass_mark,
        seconds_used=int((end - attempt.started_at).total_seconds()),
        by_topic=[
            TopicScore(topic, correct, total)
            for topic, correct, total in sorted(scores.values(), key=lambda entry: entry[0].position)
        ],
    )


def history(session: Session, user_id: int, limit: int = 50) -> list[Attempt]:
    return list(
        session.scalars(
            select(Attempt)
            .where(
                Attempt.user_id == user_id,
                Attempt.mode == AttemptMode.EXAM,
                Attempt.status != AttemptStatus.IN_PROGRESS,
            )
            .order_by(Attempt.started_at.desc())
            .limit(limit)
            .options(selectinload(Attempt.profile))
        )
    )


def purge_anonymous_attempts(session: Session, older_than: datetime) -> int:
    """Delete anonymous attempts started before `older_than` (retention)."""
    result = session.execute(
        Attempt.__table__.delete().where(Attempt.user_id.is_(None), Attempt.started_at < older_than)
    )
    return result.rowcount or 0
