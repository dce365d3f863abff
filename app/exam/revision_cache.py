"""What an exam shows of a question revision, read once per process.

A revision never changes once written: the import adds a new revision when a question's text,
options or explanation change, and attempts keep pointing at the revision they asked. So its texts
and options can be kept in memory for the life of the process, and an exam page or an answer needs
no query for the bank, only for the learner's own answers. The cache holds at most one entry per
revision in the database (a few thousand small objects), one cache per database engine (tests and
tools may open several databases whose ids overlap). Topic names are edited in place by the import,
so they are never cached here.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.core.i18n import localized
from app.exam.models import QuestionOption, QuestionRevision, RevisionTexts


@dataclass(frozen=True, slots=True)
class OptionContent:
    id: int
    position: int
    is_correct: bool
    text_kk: str
    text_ru: str
    text_en: str

    @property
    def text(self) -> str:
        return localized(self, "text")


@dataclass(frozen=True, slots=True)
class RevisionContent(RevisionTexts):
    """The same names as `QuestionRevision`, so pages and the API read either alike."""

    id: int
    question_id: int
    text_kk: str
    text_ru: str
    text_en: str
    explanation_kk: str
    explanation_ru: str
    explanation_en: str
    reference_source: str
    reference_point: str
    image: str | None
    image_alt_kk: str | None
    image_alt_ru: str | None
    image_alt_en: str | None
    options: tuple[OptionContent, ...]

    def options_in(self, order: Iterable[int]) -> list[OptionContent]:
        """The options in the order an attempt shows them."""
        by_id = {option.id: option for option in self.options}
        return [by_id[option_id] for option_id in order if option_id in by_id]


_REVISION_COLUMNS = [
    QuestionRevision.id,
    QuestionRevision.question_id,
    *(getattr(QuestionRevision, f"{field}_{lang}") for field in ("text", "explanation") for lang in ("kk", "ru", "en")),
    QuestionRevision.reference_source,
    QuestionRevision.reference_point,
    QuestionRevision.image,
    *(getattr(QuestionRevision, f"image_alt_{lang}") for lang in ("kk", "ru", "en")),
]
_OPTION_COLUMNS = [
    QuestionOption.revision_id,
    QuestionOption.id,
    QuestionOption.position,
    QuestionOption.is_correct,
    QuestionOption.text_kk,
    QuestionOption.text_ru,
    QuestionOption.text_en,
]

_caches: weakref.WeakKeyDictionary[Engine, dict[int, RevisionContent]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def revision_contents(session: Session, revision_ids: Iterable[int]) -> dict[int, RevisionContent]:
    """The content of these revisions; the ones not seen yet by this process in two queries."""
    engine = session.get_bind().engine
    with _lock:
        cache = _caches.setdefault(engine, {})
    wanted = set(revision_ids)
    missing = wanted.difference(cache)
    if missing:
        loaded = _load(session, missing)
        with _lock:
            cache.update(loaded)
    return {revision_id: cache[revision_id] for revision_id in wanted}


def revision_content(session: Session, revision_id: int) -> RevisionContent:
    return revision_contents(session, [revision_id])[revision_id]


def _load(session: Session, revision_ids: set[int]) -> dict[int, RevisionContent]:
    options: dict[int, list[OptionContent]] = {revision_id: [] for revision_id in revision_ids}
    option_rows = session.execute(
        select(*_OPTION_COLUMNS).where(QuestionOption.revision_id.in_(revision_ids)).order_by(QuestionOption.position)
    )
    for revision_id, *fields in option_rows:
        options[revision_id].append(OptionContent(*fields))
    revision_rows = session.execute(select(*_REVISION_COLUMNS).where(QuestionRevision.id.in_(revision_ids)))
    return {row.id: RevisionContent(*row, options=tuple(options[row.id])) for row in revision_rows}
