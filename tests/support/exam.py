"""Helpers shared by several test modules (moved from test_exam.py)."""

from __future__ import annotations

import random

import sqlalchemy as sa

from app.core import clock
from app.exam import attempt_access, drawing
from app.exam.models import AttemptQuestion, ExamProfile, QuestionOption
from app.extensions import db
from tests.conftest import EXAM_START

START = EXAM_START


def owner_of(user) -> attempt_access.Owner:
    return attempt_access.Owner(user_id=user.id)


def start(app, owner, *, mode="exam", rng=None, language="en"):
    with app.app_context():
        profile = db.session.scalar(sa.select(ExamProfile))
        attempt = drawing.start_attempt(
            db.session,
            owner=owner,
            profile=profile,
            language=language,
            mode=mode,
            now=clock.utcnow(),
            rng=rng or random.Random(7),
        )
        db.session.commit()
        return attempt.id


def correct_option_ids(app, attempt_id) -> dict[int, int]:
    """question_id -> id of the right option (tests only: read from the database)."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(AttemptQuestion.question_id, QuestionOption.id)
            .join(QuestionOption, QuestionOption.revision_id == AttemptQuestion.revision_id)
            .where(AttemptQuestion.attempt_id == attempt_id, QuestionOption.is_correct)
        )
        return dict(rows.all())
