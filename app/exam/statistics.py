"""Item statistics over finished trial exams, for staff reviewing the bank.

- facility index: the share of attempts that answered the question right;
- discrimination index: facility among the top 27 % of exam scores minus facility among the bottom
  27 % (Kelley's groups), counting only the attempts in each group that were asked the question;
- time spent: the mean seconds on the question.
A question is flagged for review when its facility is below 0.2 or above 0.95, or its
discrimination is negative — once it has enough answers (ITEM_STATS_MIN_ANSWERS) for that to mean
something.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import spreadsheets
from app.exam.models import Attempt, AttemptMode, AttemptQuestion, AttemptStatus, Question, QuestionRevision

GROUP_SHARE = 0.27
LOW_FACILITY, HIGH_FACILITY = 0.2, 0.95


@dataclass(frozen=True)
class Answer:
    attempt_id: int
    score: int
    question_id: int
    correct: bool
    seconds: int


@dataclass(frozen=True)
class ItemStatistics:
    question_id: int
    attempts: int
    facility: float
    discrimination: float | None
    mean_seconds: float
    min_answers: int = 0  # fewer answers than this: too few to flag anything

    @property
    def flags(self) -> list[str]:
        if self.attempts < self.min_answers:
            return []
        flags = []
        if self.facility < LOW_FACILITY:
            flags.append("too-hard")
        if self.facility > HIGH_FACILITY:
            flags.append("too-easy")
        if self.discrimination is not None and self.discrimination < 0:
            flags.append("negative-discrimination")
        return flags


def compute(answers: list[Answer], min_answers: int = 0) -> dict[int, ItemStatistics]:
    scores = {answer.attempt_id: answer.score for answer in answers}
    ranked = sorted(scores, key=lambda attempt_id: (scores[attempt_id], attempt_id))
    # With fewer than two attempts the groups would be the same attempt: no discrimination.
    group = max(1, math.floor(len(ranked) * GROUP_SHARE + 0.5)) if len(ranked) >= 2 else 0
    bottom, top = (set(ranked[:group]), set(ranked[-group:])) if group else (set(), set())
    by_question: dict[int, list[Answer]] = defaultdict(list)
    for answer in answers:
        by_question[answer.question_id].append(answer)
    result = {}
    for question_id, rows in by_question.items():
        top_rows = [row for row in rows if row.attempt_id in top]
        bottom_rows = [row for row in rows if row.attempt_id in bottom]
        discrimination = None
        if top_rows and bottom_rows:
            discrimination = _share(top_rows) - _share(bottom_rows)
        result[question_id] = ItemStatistics(
            question_id=question_id,
            attempts=len(rows),
            facility=_share(rows),
            discrimination=discrimination,
            mean_seconds=sum(row.seconds for row in rows) / len(rows),
            min_answers=min_answers,
        )
    return result


def _share(rows: list[Answer]) -> float:
    return sum(1 for row in rows if row.correct) / len(rows)


def exam_answers(session: Session) -> list[Answer]:
    rows = session.execute(
        select(
            Attempt.id,
            Attempt.correct,
            AttemptQuestion.question_id,
            AttemptQuestion.is_correct,
            AttemptQuestion.seconds_spent,
        )
        .join(AttemptQuestion, AttemptQuestion.attempt_id == Attempt.id)
        .where(Attempt.mode == AttemptMode.EXAM, Attempt.status != AttemptStatus.IN_PROGRESS)
    )
    return [
        Answer(attempt_id, score or 0, question_id, bool(correct), seconds or 0)
        for attempt_id, score, question_id, correct, seconds in rows
    ]


FLAG_NAMES = {
    "too-hard": _l("too hard"),
    "too-easy": _l("too easy"),
    "negative-discrimination": _l("negative discrimination"),
}


@dataclass(frozen=True)
class Row:
    question: Question
    text: str  # the current wording, in the reader's language
    item: ItemStatistics


def statistics_table(session: Session, min_answers: int = 0) -> list[Row]:
    """Every question asked in finished trial exams with its figures and current wording (one
    statement for the questions and their texts), flagged ones first."""
    stats = compute(exam_answers(session), min_answers)
    if not stats:
        return []
    found = session.execute(
        select(Question, QuestionRevision)
        .join(QuestionRevision, (QuestionRevision.question_id == Question.id) & QuestionRevision.is_current)
        .where(Question.id.in_(stats))
    ).tuples()
    rows = [Row(question, revision.text, stats[question.id]) for question, revision in found]
    return sorted(rows, key=lambda row: (not row.item.flags, row.question.code))


CSV_HEADER = (
    _l("Question"),
    _l("Question text"),
    _l("Answers"),
    _l("Facility"),
    _l("Discrimination"),
    _l("Mean time, s"),
    _l("Review"),
)


def to_csv(rows: list[Row], separator: str = "comma") -> str:
    """Headers, flags and numbers (decimal comma in ru/kk) in the reader's language."""
    return spreadsheets.table(
        CSV_HEADER,
        (
            [
                row.question.code,
                row.text,
                row.item.attempts,
                format_decimal(row.item.facility, format="0.000"),
                "" if row.item.discrimination is None else format_decimal(row.item.discrimination, format="0.000"),
                format_decimal(row.item.mean_seconds, format="0.0"),
                ", ".join(str(FLAG_NAMES[flag]) for flag in row.item.flags),
            ]
            for row in rows
        ),
        separator,
    )
