"""Answering an open attempt: choosing an option, flagging a question, switching its language.

Answers after the deadline are refused (the attempt is finished first). In an exam the answer may
be changed until the end; in practice, which shows the right answer at once, the first one counts.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.core.errors import DomainError
from app.core.i18n import LANGUAGES
from app.core.locking import lock
from app.exam.attempt_access import AttemptClosed
from app.exam.finishing import finish_if_expired
from app.exam.learner_progress import record_progress
from app.exam.models import Attempt, AttemptQuestion
from app.exam.revision_cache import revision_content

MAX_SECONDS_PER_VIEW = 600  # a tab left open overnight is not "time spent" on a question


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


def submit_answer(
    session: Session, attempt: Attempt, item: AttemptQuestion, option_id: int | None, flagged: bool, now: datetime
) -> None:
    """One submission of a question's page: the chosen option, if any, and in an exam the flag (in
    practice the page has no flag, so its absence must not clear one)."""
    if option_id is not None:
        answer(session, attempt, item, option_id, now)
    if not attempt.gives_feedback:
        set_flag(session, attempt, item, flagged, now)


def set_flag(session: Session, attempt: Attempt, item: AttemptQuestion, flagged: bool, now: datetime) -> None:
    _ensure_open(session, attempt, now)
    item.flagged = flagged


def set_language(attempt: Attempt, language: str) -> None:
    if language not in LANGUAGES:
        raise DomainError(_l("Choose Kazakh, Russian or English."), code="unknown-language", status=422)
    attempt.language = language
