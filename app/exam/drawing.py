"""Starting an attempt: drawing its questions for the mode (exam, practice, marathon, mistakes,
review) and storing them with their deadline and option orders.

An exam fills each topic's quota, preferring questions the learner has not seen, or saw longest
ago; the number of queries does not depend on the size of the bank.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from app.core.errors import DomainError
from app.exam.attempt_access import AttemptInProgress, Owner, open_attempts
from app.exam.finishing import finish_if_expired
from app.exam.models import (
    Attempt,
    AttemptMode,
    AttemptQuestion,
    AttemptStatus,
    ExamProfile,
    Question,
    QuestionCategory,
    QuestionOption,
    QuestionProgress,
    QuestionRevision,
    Topic,
)
from app.exam.spaced_repetition import due_cards

PRACTICE_SIZE = 20
MISTAKES_SIZE = 40
REVIEW_SIZE = 20


class NothingToPractise(DomainError):
    status = 409
    code = "nothing-to-practise"


@dataclass(frozen=True)
class Candidate:
    question_id: int
    revision_id: int
    topic_code: str


def _candidates(session: Session, category: str, topic_id: int | None = None) -> list[Candidate]:
    """Current revisions of live questions for a licence category, in the bank's order."""
    query = (
        select(Question.id, QuestionRevision.id, Topic.code)
        .join(QuestionRevision, and_(QuestionRevision.question_id == Question.id, QuestionRevision.is_current))
        .join(Topic, Topic.id == Question.topic_id)
        .join(QuestionCategory, QuestionCategory.question_id == Question.id)
        .where(Question.retired_at.is_(None), QuestionCategory.category == category)
        .order_by(Topic.position, Question.code)
    )
    if topic_id is not None:
        query = query.where(Question.topic_id == topic_id)
    return [Candidate(*row) for row in session.execute(query)]


def _last_seen(session: Session, owner: Owner) -> dict[int, datetime]:
    """When the owner last saw each question (users: their progress; anonymous: their attempts)."""
    if owner.user_id is not None:
        rows = session.execute(
            select(QuestionProgress.question_id, QuestionProgress.last_seen_at).where(
                QuestionProgress.user_id == owner.user_id, QuestionProgress.last_seen_at.is_not(None)
            )
        )
    else:
        rows = session.execute(
            select(AttemptQuestion.question_id, func.max(Attempt.started_at))
            .join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
            .where(Attempt.anonymous_key == owner.anonymous_key)
            .group_by(AttemptQuestion.question_id)
        )
    return dict(rows.all())


def _prefer_unseen(candidates: list[Candidate], last_seen: dict[int, datetime], count: int, rng) -> list[Candidate]:
    """`count` candidates: never seen first, then the least recently seen; ties broken at random."""
    keyed = [
        (
            last_seen[candidate.question_id].timestamp() if candidate.question_id in last_seen else float("-inf"),
            rng.random(),
            candidate,
        )
        for candidate in candidates
    ]
    keyed.sort(key=lambda item: item[:2])
    return [item[2] for item in keyed[:count]]


def draw_exam(session: Session, profile: ExamProfile, owner: Owner, rng) -> list[Candidate]:
    candidates = _candidates(session, profile.category)
    last_seen = _last_seen(session, owner)
    by_topic: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        by_topic[candidate.topic_code].append(candidate)
    drawn: list[Candidate] = []
    topic_order = list(dict.fromkeys(candidate.topic_code for candidate in candidates))
    for topic_code in topic_order + [code for code in profile.quotas if code not in topic_order]:
        quota = profile.quotas.get(topic_code, 0)
        chosen = _prefer_unseen(by_topic.get(topic_code, []), last_seen, quota, rng)
        if len(chosen) < quota:
            raise DomainError(
                _l("The question bank cannot fill this exam yet. Please try another category."),
                code="bank-too-small",
                status=409,
            )
        rng.shuffle(chosen)
        drawn.extend(chosen)
    return drawn


def _draw(session: Session, mode: str, profile: ExamProfile, owner: Owner, topic: Topic | None, now, rng):
    if mode == AttemptMode.EXAM:
        return draw_exam(session, profile, owner, rng)
    if mode == AttemptMode.PRACTICE:
        if topic is None:
            raise DomainError(_l("Choose a topic to practise."), code="topic-required", status=422)
        candidates = _candidates(session, profile.category, topic.id)
        chosen = _prefer_unseen(candidates, _last_seen(session, owner), PRACTICE_SIZE, rng)
        rng.shuffle(chosen)
        return chosen
    if mode == AttemptMode.MARATHON:
        return _candidates(session, profile.category)
    if owner.user_id is None:
        raise DomainError(_l("Sign in to keep your mistakes and reviews."), code="sign-in-required", status=401)
    progress = select(QuestionProgress.question_id).where(QuestionProgress.user_id == owner.user_id)
    if mode == AttemptMode.MISTAKES:
        wanted = set(session.scalars(progress.where(QuestionProgress.in_mistakes)))
        limit, empty = MISTAKES_SIZE, _l("You have no mistakes to work on. Well done!")
    else:
        wanted = {card.question_id for card in due_cards(session, owner.user_id, profile.category, now)}
        limit, empty = REVIEW_SIZE, _l("Nothing is due for review today.")
    chosen = [candidate for candidate in _candidates(session, profile.category) if candidate.question_id in wanted]
    if not chosen:
        raise NothingToPractise(empty)
    rng.shuffle(chosen)
    return chosen[:limit]


def start_attempt(
    session: Session,
    *,
    owner: Owner,
    profile: ExamProfile,
    language: str,
    mode: str,
    now: datetime,
    topic: Topic | None = None,
    rng: random.Random | None = None,
) -> Attempt:
    """Draw the questions and store the attempt with its deadline and option orders.

    A marathon is resumed instead of restarted. The number of queries does not depend on the
    size of the bank.
    """
    rng = rng or random.SystemRandom()
    if mode not in AttemptMode.ALL:
        raise DomainError(_l("Unknown mode."), code="unknown-mode", status=422)
    if mode == AttemptMode.MARATHON:
        running = _open_attempt(session, owner, mode=mode, profile_id=profile.id)
        if running is not None:
            return running
    if owner.anonymous_key is not None:
        # Nobody to hold to account: a browser cannot pile up attempts (each draws a whole exam).
        for running in open_attempts(session, owner):
            if not finish_if_expired(session, running, now):
                raise AttemptInProgress(running)
    drawn = _draw(session, mode, profile, owner, topic, now, rng)
    options: dict[int, list[int]] = defaultdict(list)
    for revision_id, option_id in session.execute(
        select(QuestionOption.revision_id, QuestionOption.id)
        .where(QuestionOption.revision_id.in_([candidate.revision_id for candidate in drawn]))
        .order_by(QuestionOption.revision_id, QuestionOption.position)
    ):
        options[revision_id].append(option_id)
    attempt = Attempt(
        user_id=owner.user_id,
        anonymous_key=owner.anonymous_key,
        profile_id=profile.id,
        topic_id=topic.id if topic is not None and mode == AttemptMode.PRACTICE else None,
        mode=mode,
        language=language,
        status=AttemptStatus.IN_PROGRESS,
        started_at=now,
        deadline=now + timedelta(seconds=profile.seconds) if mode == AttemptMode.EXAM else None,
        pass_mark=profile.pass_mark if mode == AttemptMode.EXAM else None,
        total=len(drawn),
        current_position=1,
    )
    session.add(attempt)
    session.flush()
    rows = []
    for position, candidate in enumerate(drawn, start=1):
        order = list(options[candidate.revision_id])
        rng.shuffle(order)
        rows.append(
            {
                "attempt_id": attempt.id,
                "position": position,
                "question_id": candidate.question_id,
                "revision_id": candidate.revision_id,
                "option_order": order,
                "flagged": False,
                "seconds_spent": 0,
            }
        )
    session.execute(AttemptQuestion.__table__.insert(), rows)
    return attempt


def _open_attempt(session: Session, owner: Owner, *, mode: str, profile_id: int) -> Attempt | None:
    query = select(Attempt).where(
        Attempt.mode == mode, Attempt.profile_id == profile_id, Attempt.status == AttemptStatus.IN_PROGRESS
    )
    if owner.user_id is not None:
        query = query.where(Attempt.user_id == owner.user_id)
    else:
        query = query.where(Attempt.anonymous_key == owner.anonymous_key)
    return session.scalars(query.order_by(Attempt.started_at.desc()).limit(1)).first()
