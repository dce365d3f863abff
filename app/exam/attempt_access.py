"""Who may open an attempt, and what its pages show.

An attempt belongs to a signed-in user or to one anonymous browser (`Owner`); anyone else's attempt
answers as if it did not exist. `items_with_content` is what the question, result and API pages read.
Nothing here reveals the key of an open attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session, contains_eager

from app.core.errors import DomainError
from app.core.i18n import localized
from app.exam.learner_progress import record_progress
from app.exam.models import Attempt, AttemptMode, AttemptQuestion, AttemptStatus, Question, Topic
from app.exam.revision_cache import OptionContent, RevisionContent, revision_contents


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


def open_attempts(session: Session, owner: Owner) -> list[Attempt]:
    query = select(Attempt).where(Attempt.status == AttemptStatus.IN_PROGRESS).order_by(Attempt.started_at.desc())
    if owner.user_id is not None:
        return list(session.scalars(query.where(Attempt.user_id == owner.user_id)))
    return list(session.scalars(query.where(Attempt.anonymous_key == owner.anonymous_key)))


def get_attempt(session: Session, attempt_id: int, owner: Owner) -> Attempt:
    """The owner's attempt (404 for anyone else's)."""
    attempt = session.get(Attempt, attempt_id)
    if attempt is None or not owner.owns(attempt):
        raise AttemptNotFound()
    return attempt


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
    content (cached per process, see app.exam.revision_cache) and the question's topic. Plain values, not
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


def remaining_seconds(attempt: Attempt, now: datetime) -> int | None:
    """Whole seconds left before the deadline (none for attempts without one), never below zero."""
    if attempt.deadline is None:
        return None
    return max(0, int((attempt.deadline - now).total_seconds()))


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


def adopt_anonymous(session: Session, anonymous_keys: list[str], user_id: int) -> list[int]:
    """Carry the attempts made in these anonymous browser sessions into the account `user_id`, on
    sign-in (and on the step that completes a registration): their result pages stay reachable,
    and they count in the history, the readiness estimate and the practice queues as if made
    signed in. One conditional UPDATE, so two sign-ins at once move each attempt once; the
    answers already given feed the learner's progress as of when they were given (an open exam
    feeds it when it finishes, as any exam does). Returns the ids of the attempts moved."""
    keys = [key for key in anonymous_keys if key]
    if not keys:
        return []
    moved = session.scalars(
        update(Attempt)
        .where(Attempt.user_id.is_(None), Attempt.anonymous_key.in_(keys))
        .values(user_id=user_id, anonymous_key=None)
        .returning(Attempt.id)
        .execution_options(synchronize_session=False)
    ).all()
    if not moved:
        return []
    adopted = session.scalars(
        select(Attempt)
        .where(Attempt.id.in_(moved))
        .order_by(Attempt.started_at)
        .execution_options(populate_existing=True)
    ).all()
    for attempt in adopted:
        if attempt.mode == AttemptMode.EXAM:
            # A finished exam counts every question (unanswered ones as wrong), as `finishing` does.
            items = [] if attempt.is_open else list(attempt.items)
        else:
            items = [item for item in attempt.items if item.answered_at is not None]
        if items:
            record_progress(session, user_id, items, attempt.finished_at or max(i.answered_at for i in items))
    return list(moved)
