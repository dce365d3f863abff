"""Loading the validated question bank into the database: an idempotent upsert by question id.

A question whose content changed gets a new revision (the old one stays for old attempts); a
question no longer in the files is retired; one that comes back is restored. Profiles from
`profiles.yaml` are created when missing and otherwise left as admins set them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.core.i18n import LANGUAGES
from app.core.progress import Track, untracked
from app.exam.bank import Bank, QuestionData, normalize_text
from app.exam.models import ExamProfile, Question, QuestionCategory, QuestionOption, QuestionRevision, Topic

_shuffle = random.SystemRandom()


@dataclass
class ImportSummary:
    created: int = 0
    revised: int = 0
    unchanged: int = 0
    retired: int = 0
    restored: int = 0
    topics: int = 0
    profiles_created: int = 0

    def __str__(self) -> str:
        return (
            f"{self.created} created, {self.revised} revised, {self.unchanged} unchanged, "
            f"{self.retired} retired, {self.restored} restored; {self.topics} topics; "
            f"{self.profiles_created} profiles created"
        )


def import_bank(session: Session, bank: Bank, now: datetime, track: Track = untracked) -> ImportSummary:
    summary = ImportSummary()
    topics = _upsert_topics(session, bank)
    summary.topics = len(topics)
    existing = {
        question.code: question
        for question in session.scalars(
            select(Question).options(selectinload(Question.categories), selectinload(Question.revisions))
        )
    }
    for data in track(bank.questions, "Importing questions"):
        question = existing.pop(data.code, None)
        if question is None:
            question = Question(code=data.code, topic=topics[data.topic])
            session.add(question)
            question.revisions.append(_revision(data, number=1))
            summary.created += 1
        else:
            current = next((revision for revision in question.revisions if revision.is_current), None)
            if current is None or current.content_hash != data.content_hash():
                if current is not None:
                    current.is_current = False
                    session.flush()  # the partial unique index allows one current revision
                number = max((revision.number for revision in question.revisions), default=0) + 1
                question.revisions.append(_revision(data, number=number))
                summary.revised += 1
            else:
                summary.unchanged += 1
            if question.retired_at is not None:
                question.retired_at = None
                summary.restored += 1
            question.topic = topics[data.topic]
        if sorted(question.category_codes) != sorted(data.categories):
            question.categories = [QuestionCategory(category=category) for category in sorted(data.categories)]
    for question in existing.values():
        if question.retired_at is None:
            question.retired_at = now
            summary.retired += 1
    summary.profiles_created = _create_missing_profiles(session, bank)
    session.flush()
    return summary


def _upsert_topics(session: Session, bank: Bank) -> dict[str, Topic]:
    topics = {topic.code: topic for topic in session.scalars(select(Topic))}
    for data in bank.topics:
        topic = topics.get(data.code)
        if topic is None:
            topic = Topic(code=data.code)
            session.add(topic)
            topics[data.code] = topic
        topic.position = data.position
        for lang in LANGUAGES:
            setattr(topic, f"name_{lang}", data.names[lang])
    return topics


def _revision(data: QuestionData, number: int) -> QuestionRevision:
    options = [
        QuestionOption(position=position, is_correct=option.correct, **_by_language("text", option.texts))
        for position, option in enumerate(data.options, start=1)
    ]
    # Authors tend to write the right answer first; inserting the options in random order keeps
    # their database ids (which clients see) from telling which one it is.
    _shuffle.shuffle(options)
    revision = QuestionRevision(
        number=number,
        is_current=True,
        content_hash=data.content_hash(),
        reference_source=data.reference_source,
        reference_point=data.reference_point,
        image=data.image,
        image_alt=data.image_alt,
        options=options,
        **_by_language("text", data.texts),
        **_by_language("explanation", data.explanations),
    )
    for lang in LANGUAGES:
        searchable = " ".join(
            [data.texts[lang], *(option.texts[lang] for option in data.options), data.explanations[lang]]
        )
        setattr(revision, f"search_{lang}", normalize_text(searchable))
    return revision


def _by_language(field: str, texts: dict[str, str]) -> dict[str, str]:
    return {f"{field}_{lang}": texts[lang] for lang in LANGUAGES}


def _create_missing_profiles(session: Session, bank: Bank) -> int:
    existing = set(session.scalars(select(ExamProfile.code)))
    created = 0
    for data in bank.profiles:
        if data.code in existing:
            continue
        session.add(
            ExamProfile(
                code=data.code,
                category=data.category,
                questions=data.questions,
                seconds=data.seconds,
                pass_mark=data.pass_mark,
                quotas=dict(data.quotas),
                **_by_language("title", data.titles),
            )
        )
        created += 1
    return created
