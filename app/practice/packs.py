"""Practice packs: every active question of a licence category in one language, with its options,
the right one, the explanation, the rule it rests on and its picture, for practice on a device
with no network. Practice only: an exam attempt never reads a pack, and its questions and key
stay on the server until it is finished.

The pack's `version` is a hash of its content (the bank's revision as this pack sees it: question
revisions, alt texts and topic names edited in place alike), so the ETag changes exactly when what
a device would store changes. Building it costs two queries (the revisions' texts come from the
process's revision cache) and one JSON encoding; a device asks with If-None-Match and mostly gets
304.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.i18n import LANGUAGES
from app.exam.models import Question, QuestionCategory, QuestionRevision, Topic
from app.exam.references import reference_of
from app.exam.revision_cache import revision_contents


@dataclass(frozen=True)
class Pack:
    version: str
    body: bytes  # the JSON, compact, UTF-8

    @property
    def etag(self) -> str:
        return self.version


def categories(session: Session) -> list[str]:
    return list(session.scalars(select(QuestionCategory.category).distinct().order_by(QuestionCategory.category)))


def pack(session: Session, language: str, category: str, image_url: Callable[[str], str]) -> Pack | None:
    """The pack for one language and category (None if there is no such pack)."""
    if language not in LANGUAGES:
        return None
    return _build(session, language, category, image_url)


def _build(session: Session, language: str, category: str, image_url: Callable[[str], str]) -> Pack | None:
    rows = session.execute(
        select(QuestionRevision.id, Topic.code)
        .join(Question, Question.id == QuestionRevision.question_id)
        .join(Topic, Topic.id == Question.topic_id)
        .join(QuestionCategory, QuestionCategory.question_id == Question.id)
        .where(QuestionRevision.is_current, QuestionCategory.category == category, Question.retired_at.is_(None))
        .order_by(Topic.position, Question.code)
    ).all()
    if not rows:
        return None
    contents = revision_contents(session, [revision_id for revision_id, _ in rows])
    questions = []
    for revision_id, topic in rows:
        revision = contents[revision_id]
        reference = reference_of(revision.reference_source, revision.reference_point, language)
        questions.append(
            {
                "id": revision.question_id,
                "topic": topic,
                "text": getattr(revision, f"text_{language}"),
                "image_url": image_url(revision.image) if revision.image else None,
                "image_alt": getattr(revision, f"image_alt_{language}") if revision.image else None,
                "options": [
                    {"id": option.id, "text": getattr(option, f"text_{language}"), "correct": option.is_correct}
                    for option in revision.options
                ],
                "explanation": getattr(revision, f"explanation_{language}"),
                "reference": reference.text,
                "reference_url": reference.url,
            }
        )
    used = {topic for _, topic in rows}
    topics = [
        {"code": topic.code, "name": getattr(topic, f"name_{language}")}
        for topic in session.scalars(select(Topic).order_by(Topic.position))
        if topic.code in used
    ]
    content = {"lang": language, "category": category, "topics": topics, "questions": questions}
    canonical = json.dumps(content, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    version = hashlib.sha256(canonical.encode()).hexdigest()[:20]
    body = json.dumps({"version": version, **content}, ensure_ascii=False, separators=(",", ":"))
    return Pack(version=f"{version}-{language}-{category}", body=body.encode())


def images_of(pack_body: dict) -> list[str]:
    return sorted({question["image_url"] for question in pack_body["questions"] if question["image_url"]})
