"""Trial exams and practice: drawing questions, answering, finishing, scoring and progress.

The server owns the clock: an exam's deadline is stored when it starts, answers after it are
refused, and an expired exam is finished by the server on its next access or by the job
`finish_expired_attempts`. Nothing here reveals the key of an open attempt.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session, contains_eager, selectinload

from app.core.errors import DomainError
from app.core.i18n import localized
from app.core.locking import lock
from app.exam.content import OptionContent, RevisionContent, revision_content, revision_contents
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

PRACTICE_SIZE = 20
MISTAKES_SIZE = 40
REVIEW_SIZE = 20
# Leitner boxes: days until the next review after a right answer puts a question in that box.
LEITNER_INTERVAL_DAYS = {1: 1, 2: 3, 3: 7, 4: 14, 5: 30}
MAX_SECONDS_PER_VIEW = 600  # a tab left open overnight is not "time spent" on a question


class AttemptNotFound(DomainError):
    status = 404
    code = "not-found"

    def __init__(self):
        super().__init__(_l("There is no such attempt."))


class AttemptClosed(DomainError):
    status = 409
    code = "attempt-closed"

    def __init__(self):
        super().__init__(_l("This attempt is finished: answers can no longer be changed."))


class AttemptInProgress(DomainError):
    """An anonymous browser has one open attempt at a time: it is offered to continue that one."""

    status = 409
    code = "attempt-in-progress"

    def __init__(self, attempt: Attempt):
        super().__init__(
            _l("You have a trial exam in progress. Continue it, or finish it before you start another."),
            attempt=attempt.id,
        )
        self.attempt_id = attempt.id


class NothingToPractise(DomainError):
    status = 409
    code = "nothing-to-practise"


@dataclass(frozen=True)
class Owner:
    """Who an attempt belongs to: a signed-in user, or an anonymous browser session."""

    user_id: int | None = None
    anonymous_key: str | None = None

    def __post_init__(self):
        if (self.user_id is None) == (self.anonymous_key is None):
            raise ValueError("an owner is either a user or an anonymous session")

    def owns(self, attempt: Attempt) -> bool:
        if self.user_id is not None:
            return attempt.user_id == self.user_id
        return attempt.user_id is None and attempt.anonymous_key == self.anonymous_key


@dataclass(frozen=True)
class Candidate:
    question_id: int
    revision_id: int
    topic_code: str


# --- drawing ------------------------------------------------------------------------------------


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
        wanted = set(session.scalars(progress.where(QuestionProgress.due_at <= now)))
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


def open_attempts(session: Session, owner: Owner) -> list[Attempt]:
    query = select(Attempt).where(Attempt.status == AttemptStatus.IN_PROGRESS).order_by(Attempt.started_at.desc())
    if owner.user_id is not None:
        return list(session.scalars(query.where(Attempt.user_id == owner.user_id)))
    return list(session.scalars(query.where(Attempt.anonymous_key == owner.anonymous_key)))


# --- access and the clock ------------------------------------------------------------------------


def get_attempt(session: Session, attempt_id: int, owner: Owner) -> Attempt:
    """The owner's attempt (404 for anyone else's)."""
    attempt = session.get(Attempt, attempt_id)
    if attempt is None or not owner.owns(attempt):
        raise AttemptNotFound()
    return attempt


def finish_if_expired(session: Session, attempt: Attempt, now: datetime) -> bool:
    """Finish an exam whose time ran out, on its first access after the deadline; True if it did."""
    if attempt.is_open and attempt.deadline is not None and now >= attempt.deadline:
        finish_attempt(session, attempt, now, expired=True)
        return True
    return False


@dataclass(frozen=True)
class TopicLabel:
    id: int
    code: str
    position: int
    name_kk: str
    name_ru: str
    name_en: str

    @property
    def name(self) -> str:
        return localized(self, "name")


@dataclass(frozen=True)
class ShownQuestion:
    """One question of an attempt as pages and the API show it: the learner's answer, the revision's
    content (cached per process, see app.exam.content) and the question's topic. Plain values, not
    ORM objects: a page shows forty of them, and reading them must not cost forty objects' tracking."""

    position: int
    question_id: int
    option_order: list[int]
    chosen_option_id: int | None
    is_correct: bool | None
    flagged: bool
    revision: RevisionContent
    topic: TopicLabel

    @property
    def answered(self) -> bool:
        return self.chosen_option_id is not None

    @property
    def options(self) -> list[OptionContent]:
        """The options in the order this attempt shows them."""
        return self.revision.options_in(self.option_order)


_SHOWN_COLUMNS = (
    AttemptQuestion.position,
    AttemptQuestion.question_id,
    AttemptQuestion.option_order,
    AttemptQuestion.chosen_option_id,
    AttemptQuestion.is_correct,
    AttemptQuestion.flagged,
    AttemptQuestion.revision_id,
    Topic.id,
    Topic.code,
    Topic.position,
    Topic.name_kk,
    Topic.name_ru,
    Topic.name_en,
)


def items_with_content(session: Session, attempt: Attempt) -> list[ShownQuestion]:
    """The attempt's questions with their content and topics: one query for the answers and
    topics, plus two the first time this process shows a revision."""
    rows = session.execute(
        select(*_SHOWN_COLUMNS)
        .join(Question, Question.id == AttemptQuestion.question_id)
        .join(Topic, Topic.id == Question.topic_id)
        .where(AttemptQuestion.attempt_id == attempt.id)
        .order_by(AttemptQuestion.position)
    ).all()
    contents = revision_contents(session, (row[6] for row in rows))
    return [ShownQuestion(*row[:6], contents[row[6]], TopicLabel(*row[7:])) for row in rows]


def get_attempt_item(session: Session, attempt_id: int, question_id: int, owner: Owner) -> AttemptQuestion:
    """One question of the owner's attempt, loaded with its attempt in one query (404 otherwise)."""
    item = session.scalar(
        select(AttemptQuestion)
        .join(AttemptQuestion.attempt)
        .options(contains_eager(AttemptQuestion.attempt))
        .where(AttemptQuestion.attempt_id == attempt_id, AttemptQuestion.question_id == question_id)
    )
    if item is None or not owner.owns(item.attempt):
        raise AttemptNotFound()
    return item


def item_at(attempt: Attempt, position: int) -> AttemptQuestion:
    if not 1 <= position <= attempt.total:
        raise AttemptNotFound()
    return attempt.items[position - 1]


def mark_shown(session: Session, attempt: Attempt, position: int, now: datetime) -> None:
    """Remember when a question was put in front of the learner (for time spent), and where to resume."""
    if attempt.is_open:
        session.execute(
            update(AttemptQuestion)
            .where(AttemptQuestion.attempt_id == attempt.id, AttemptQuestion.position == position)
            .values(shown_at=now)
            .execution_options(synchronize_session=False)
        )
        attempt.current_position = position


# --- answering --------------------------------------------------------------------------------


def _ensure_open(session: Session, attempt: Attempt, now: datetime) -> None:
    # Locked: an answer waits for a finish running at once and then finds the attempt closed, and
    # two answers to one question come one after the other (in practice the first one counts).
    lock(session, attempt)
    finish_if_expired(session, attempt, now)
    if not attempt.is_open:
        raise AttemptClosed()


def answer(session: Session, attempt: Attempt, item: AttemptQuestion, option_id: int, now: datetime) -> bool:
    """Record the chosen option; returns whether it is right (shown only where feedback is due).

    In an exam the answer may be changed until the end; in practice the first answer counts.
    """
    _ensure_open(session, attempt, now)
    session.refresh(item)  # as an answer committed while this one waited for the lock left it
    if option_id not in item.option_order:
        raise DomainError(_l("Choose one of the answers shown."), code="unknown-option", status=422)
    if attempt.gives_feedback and item.answered:
        return bool(item.is_correct)
    correct_id = revision_content(session, item.revision_id).correct_option.id
    item.chosen_option_id = option_id
    item.is_correct = option_id == correct_id
    item.answered_at = now
    if item.shown_at is not None:
        spent = int((now - item.shown_at).total_seconds())
        item.seconds_spent += max(0, min(spent, MAX_SECONDS_PER_VIEW))
        item.shown_at = None
    if attempt.gives_feedback and attempt.user_id is not None:
        record_progress(session, attempt.user_id, [item], now)
    return item.is_correct


def set_flag(session: Session, attempt: Attempt, item: AttemptQuestion, flagged: bool, now: datetime) -> None:
    _ensure_open(session, attempt, now)
    item.flagged = flagged


def set_language(attempt: Attempt, language: str) -> None:
    if language not in ("kk", "ru", "en"):
        raise DomainError(_l("Choose Kazakh, Russian or English."), code="unknown-language", status=422)
    attempt.language = language


# --- finishing and results ------------------------------------------------------------------------


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


# --- progress: seen, mistakes, spaced repetition --------------------------------------------------


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
