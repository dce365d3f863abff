"""Item statistics over finished trial exams, for staff reviewing the bank.

- facility index: the share of attempts that answered the question right;
- discrimination index: facility among the top 27 % of exam scores minus facility among the bottom
  27 % (Kelley's groups), counting only the attempts in each group that were asked the question;
- time spent: the mean seconds on the question.
A question is flagged for review when its facility is below 0.2 or above 0.95, or its
discrimination is negative.
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.exam.models import Attempt, AttemptMode, AttemptQuestion, AttemptStatus, Question

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

    @property
    def flags(self) -> list[str]:
        flags = []
        if self.facility < LOW_FACILITY:
            flags.append("too-hard")
        if self.facility > HIGH_FACILITY:
            flags.append("too-easy")
        if self.discrimination is not None and self.discrimination < 0:
            flags.append("negative-discrimination")
        return flags


def compute(answers: list[Answer]) -> dict[int, ItemStatistics]:
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


def statistics_table(session: Session) -> list[tuple[Question, ItemStatistics]]:
    stats = compute(exam_answers(session))
    if not stats:
        return []
    questions = {question.id: question for question in session.scalars(select(Question).where(Question.id.in_(stats)))}
    rows = [(questions[question_id], item) for question_id, item in stats.items()]
    return sorted(rows, key=lambda row: (not row[1].flags, row[0].code))


def to_csv(rows: list[tuple[Question, ItemStatistics]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["question", "attempts", "facility", "discrimination", "mean_seconds", "flags"])
    for question, item in rows:
        writer.writerow(
            [
                question.code,
                item.attempts,
                f"{item.facility:.3f}",
                "" if item.discrimination is None else f"{item.discrimination:.3f}",
                f"{item.mean_seconds:.1f}",
                " ".join(item.flags),
            ]
        )
    return out.getvalue()
