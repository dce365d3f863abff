"""Test data built straight into the database (fast, and any size)."""

from __future__ import annotations

from sqlalchemy import func, select

from app.exam.models import ExamProfile, Question, QuestionCategory, QuestionOption, QuestionRevision, Topic

LANGS = ("kk", "ru", "en")


def build_bank(session, per_topic: dict[str, int], *, categories=("B",), options: int = 3) -> dict[str, Topic]:
    """Add `per_topic[code]` questions to each topic (made when missing); option 1 is right."""
    topics = {}
    for position, (code, count) in enumerate(per_topic.items(), start=1):
        topic = session.scalar(select(Topic).where(Topic.code == code))
        if topic is None:
            topic = Topic(
                code=code, position=position, name_kk=f"{code} kk", name_ru=f"{code} ru", name_en=f"{code} en"
            )
            session.add(topic)
        topics[code] = topic
        first = session.scalar(select(func.count()).select_from(Question).where(Question.code.like(f"{code}-%"))) + 1
        for number in range(first, first + count):
            question_code = f"{code}-{number:03d}"
            question = Question(
                code=question_code,
                topic=topic,
                categories=[QuestionCategory(category=category) for category in categories],
            )
            texts = {f"text_{lang}": f"{question_code} question {lang}" for lang in LANGS}
            explanations = {f"explanation_{lang}": f"{question_code} because {lang}" for lang in LANGS}
            searches = {f"search_{lang}": f"{question_code} question {lang}" for lang in LANGS}
            question.revisions.append(
                QuestionRevision(
                    number=1,
                    is_current=True,
                    content_hash=question_code,
                    reference_source="pdd",
                    reference_point="1",
                    options=[
                        QuestionOption(
                            position=index,
                            is_correct=index == 1,
                            **{f"text_{lang}": f"{question_code} option {index} {lang}" for lang in LANGS},
                        )
                        for index in range(1, options + 1)
                    ],
                    **texts,
                    **explanations,
                    **searches,
                )
            )
            session.add(question)
    session.flush()
    return topics


def build_profile(session, quotas: dict[str, int], *, code="B", category="B", seconds=2400, pass_mark=None):
    questions = sum(quotas.values())
    profile = ExamProfile(
        code=code,
        category=category,
        title_kk=f"{code} санаты",
        title_ru=f"Категория {code}",
        title_en=f"Category {code}",
        questions=questions,
        seconds=seconds,
        pass_mark=pass_mark or questions,
        quotas=quotas,
    )
    session.add(profile)
    session.flush()
    return profile
