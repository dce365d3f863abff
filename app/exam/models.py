"""The question bank in the database: topics, questions with immutable revisions, options and
exam profiles. A changed question gets a new revision, so old attempts keep showing exactly what
was asked; a question removed from the files is retired, never deleted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import utcnow
from app.core.i18n import localized
from app.core.types import UTCDateTime
from app.extensions import db


class Topic(db.Model):
    __tablename__ = "topic"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    position: Mapped[int] = mapped_column(Integer)
    name_kk: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))

    @property
    def name(self) -> str:
        return localized(self, "name")


class Question(db.Model):
    __tablename__ = "question"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="RESTRICT"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    topic: Mapped[Topic] = relationship()
    categories: Mapped[list[QuestionCategory]] = relationship(
        cascade="all, delete-orphan", order_by="QuestionCategory.category"
    )
    revisions: Mapped[list[QuestionRevision]] = relationship(
        back_populates="question", order_by="QuestionRevision.number"
    )

    @property
    def category_codes(self) -> list[str]:
        return [item.category for item in self.categories]


class QuestionCategory(db.Model):
    """A licence category whose exams may draw the question."""

    __tablename__ = "question_category"

    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(String(3), primary_key=True, index=True)


class RevisionTexts:
    """The localised accessors of a revision, for the model and for its cached copy
    (app.exam.revision_cache.RevisionContent), which carry the same columns."""

    __slots__ = ()

    @property
    def text(self) -> str:
        return localized(self, "text")

    @property
    def explanation(self) -> str:
        return localized(self, "explanation")

    @property
    def image_alt(self) -> str:
        return localized(self, "image_alt")

    @property
    def correct_option(self):
        return next(option for option in self.options if option.is_correct)


class QuestionRevision(RevisionTexts, db.Model):
    """What a learner sees of a question at one point in time. Never changed once written."""

    __tablename__ = "question_revision"
    __table_args__ = (
        UniqueConstraint("question_id", "number", name="uq_question_revision_number"),
        # At most one current revision per question.
        Index(
            "uq_question_revision_current",
            "question_id",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Looked up through uq_question_revision_number, which starts with it.
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    text_kk: Mapped[str] = mapped_column(Text)
    text_ru: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    explanation_kk: Mapped[str] = mapped_column(Text)
    explanation_ru: Mapped[str] = mapped_column(Text)
    explanation_en: Mapped[str] = mapped_column(Text)
    reference_source: Mapped[str] = mapped_column(String(20))
    reference_point: Mapped[str] = mapped_column(String(40))
    image: Mapped[str | None] = mapped_column(String(120))
    # The picture's text alternative for people who cannot see it, in each language (images/alt.yaml).
    image_alt_kk: Mapped[str | None] = mapped_column(Text)
    image_alt_ru: Mapped[str | None] = mapped_column(Text)
    image_alt_en: Mapped[str | None] = mapped_column(Text)
    # Case-folded text of the stem, options and explanation, for search on any database.
    search_kk: Mapped[str] = mapped_column(Text)
    search_ru: Mapped[str] = mapped_column(Text)
    search_en: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    question: Mapped[Question] = relationship(back_populates="revisions")
    options: Mapped[list[QuestionOption]] = relationship(
        back_populates="revision", order_by="QuestionOption.position", cascade="all, delete-orphan"
    )


class QuestionOption(db.Model):
    __tablename__ = "question_option"
    __table_args__ = (UniqueConstraint("revision_id", "position", name="uq_question_option_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Looked up through uq_question_option_position, which starts with it.
    revision_id: Mapped[int] = mapped_column(ForeignKey("question_revision.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    is_correct: Mapped[bool] = mapped_column(Boolean, default=False)
    text_kk: Mapped[str] = mapped_column(Text)
    text_ru: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)

    revision: Mapped[QuestionRevision] = relationship(back_populates="options")

    @property
    def text(self) -> str:
        return localized(self, "text")


class ExamProfile(db.Model):
    """The format of an exam for one licence category, with topic quotas (topic code -> count)."""

    __tablename__ = "exam_profile"
    __table_args__ = (
        CheckConstraint("questions > 0", name="questions_positive"),
        CheckConstraint("seconds > 0", name="seconds_positive"),
        CheckConstraint("pass_mark > 0 AND pass_mark <= questions", name="pass_mark_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)
    category: Mapped[str] = mapped_column(String(3))
    title_kk: Mapped[str] = mapped_column(String(200))
    title_ru: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    questions: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[int] = mapped_column(Integer)
    pass_mark: Mapped[int] = mapped_column(Integer)
    quotas: Mapped[dict[str, int]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def max_mistakes(self) -> int:
        return self.questions - self.pass_mark


class AttemptMode:
    EXAM = "exam"  # the official format, timed
    PRACTICE = "practice"  # by topic, with feedback after each answer
    MARATHON = "marathon"  # the whole bank in order, resumable
    MISTAKES = "mistakes"  # questions answered wrongly until answered right twice in a row
    REVIEW = "review"  # spaced repetition: the questions due today

    ALL = (EXAM, PRACTICE, MARATHON, MISTAKES, REVIEW)
    WITH_FEEDBACK = (PRACTICE, MARATHON, MISTAKES, REVIEW)


class AttemptStatus:
    IN_PROGRESS = "in_progress"
    FINISHED = "finished"
    EXPIRED = "expired"  # finished by the server when the time ran out


class Attempt(db.Model):
    """One run through a set of drawn questions. Belongs to a user, or to an anonymous browser
    session (`anonymous_key`)."""

    __tablename__ = "attempt"
    __table_args__ = (
        CheckConstraint("user_id IS NOT NULL OR anonymous_key IS NOT NULL", name="has_owner"),
        CheckConstraint("mode IN ('exam', 'practice', 'marathon', 'mistakes', 'review')", name="mode_known"),
        CheckConstraint("status IN ('in_progress', 'finished', 'expired')", name="status_known"),
        CheckConstraint("language IN ('kk', 'ru', 'en')", name="language_known"),
        Index("ix_attempt_user_started", "user_id", "started_at"),
        Index("ix_attempt_status_deadline", "status", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    anonymous_key: Mapped[str | None] = mapped_column(String(64), index=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("exam_profile.id", ondelete="RESTRICT"))
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topic.id", ondelete="RESTRICT"))
    mode: Mapped[str] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(12), default=AttemptStatus.IN_PROGRESS)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Copied from the profile at start, so a later profile change does not rescore old attempts.
    pass_mark: Mapped[int | None] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    correct: Mapped[int | None] = mapped_column(Integer)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    current_position: Mapped[int] = mapped_column(Integer, default=1)

    profile: Mapped[ExamProfile] = relationship()
    topic: Mapped[Topic | None] = relationship()
    items: Mapped[list[AttemptQuestion]] = relationship(
        back_populates="attempt", order_by="AttemptQuestion.position", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.status == AttemptStatus.IN_PROGRESS

    @property
    def gives_feedback(self) -> bool:
        return self.mode in AttemptMode.WITH_FEEDBACK


class AttemptQuestion(db.Model):
    """A question as drawn for an attempt: which revision, in which place, options in which order."""

    __tablename__ = "attempt_question"
    __table_args__ = (
        UniqueConstraint("attempt_id", "position", name="uq_attempt_question_position"),
        UniqueConstraint("attempt_id", "question_id", name="uq_attempt_question_question"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Looked up through uq_attempt_question_position, which starts with it.
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="RESTRICT"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("question_revision.id", ondelete="RESTRICT"))
    option_order: Mapped[list[int]] = mapped_column(JSON)
    chosen_option_id: Mapped[int | None] = mapped_column(ForeignKey("question_option.id", ondelete="RESTRICT"))
    is_correct: Mapped[bool | None] = mapped_column(Boolean)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    shown_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    seconds_spent: Mapped[int] = mapped_column(Integer, default=0)

    attempt: Mapped[Attempt] = relationship(back_populates="items")
    revision: Mapped[QuestionRevision] = relationship()

    @property
    def answered(self) -> bool:
        return self.chosen_option_id is not None


class QuestionProgress(db.Model):
    """What one learner knows of one question: when last seen, right or wrong, mistakes streak.
    When it is due again is the FSRS card's business (`ReviewCard`)."""

    __tablename__ = "question_progress"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"), primary_key=True)
    times_seen: Mapped[int] = mapped_column(Integer, default=0)
    times_correct: Mapped[int] = mapped_column(Integer, default=0)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_correct: Mapped[bool | None] = mapped_column(Boolean)
    # "My mistakes": in the list after a wrong answer, out after two right answers in a row.
    in_mistakes: Mapped[bool] = mapped_column(Boolean, default=False)
    right_streak: Mapped[int] = mapped_column(Integer, default=0)


class ReviewCard(db.Model):
    """One learner's FSRS card for one question (app.exam.spaced_repetition): its memory state
    (stability in days, difficulty 1..10), its learning step and when it is due again."""

    __tablename__ = "review_card"
    __table_args__ = (
        CheckConstraint("state IN (1, 2, 3)", name="state_known"),  # fsrs.State: learning, review, relearning
        # "Due today" reads one learner's cards by due time.
        Index("ix_review_card_user_due", "user_id", "due_at"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[int] = mapped_column(Integer)
    step: Mapped[int | None] = mapped_column(Integer)
    stability: Mapped[float | None] = mapped_column(Float)
    difficulty: Mapped[float | None] = mapped_column(Float)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_review_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviews: Mapped[int] = mapped_column(Integer, default=0)


class PracticeAnswer(db.Model):
    """An answer practised on the learner's device (offline or not) and sent in a batch. Each carries
    the UUID its device made (`client_id`): sent again, it is not stored again."""

    __tablename__ = "practice_answer"
    __table_args__ = (
        UniqueConstraint("user_id", "client_id", name="uq_practice_answer_client"),
        Index("ix_practice_answer_user_answered", "user_id", "answered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(36))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"), index=True)
    option_id: Mapped[int] = mapped_column(ForeignKey("question_option.id", ondelete="CASCADE"))
    is_correct: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())  # the device's clock, never after receipt
    seconds: Mapped[int | None] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
