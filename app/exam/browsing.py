"""The learners' question browser: current questions by topic and by words, in one language."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager, selectinload

from app.core.i18n import LANGUAGES
from app.exam.bank import normalize_text
from app.exam.models import Question, QuestionRevision, Topic


def browse_query(*, language: str, topic_code: str | None = None, search: str | None = None) -> Select:
    """Current, not retired questions, in the bank's order, filtered by topic and search words.

    Every word must occur (in any form containing it) in the stem, an option or the explanation,
    in the chosen language.
    """
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    query = (
        select(QuestionRevision)
        .join(QuestionRevision.question)
        .join(Question.topic)
        .where(QuestionRevision.is_current, Question.retired_at.is_(None))
        .options(
            contains_eager(QuestionRevision.question).contains_eager(Question.topic),
            # The page lists each question's categories: one statement for them all, not one each.
            contains_eager(QuestionRevision.question).selectinload(Question.categories),
            selectinload(QuestionRevision.options),
        )
        .order_by(Topic.position, Question.code)
    )
    if topic_code:
        query = query.where(Topic.code == topic_code)
    search_column = getattr(QuestionRevision, f"search_{language}")
    for word in normalize_text(search or "").split()[:8]:
        query = query.where(search_column.contains(word, autoescape=True))
    return query


def all_topics(session) -> list[Topic]:
    return list(session.scalars(select(Topic).order_by(Topic.position)))
