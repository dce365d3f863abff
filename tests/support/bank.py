"""Helpers shared by several test modules (moved from test_question_bank.py)."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from app.core.clock import utcnow
from app.exam import bank_validation
from app.exam.importing import import_bank
from app.extensions import db

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "bank"
REAL_BANK = Path(__file__).resolve().parents[2] / "questions"


@functools.cache
def real_bank_report():
    """The real bank's validation, read once per test process (it compares every pair of questions:
    the bank tests, the browser journeys and the page-time test all need it)."""
    return bank_validation.validate(REAL_BANK)


@pytest.fixture
def loaded(app):
    with app.app_context():
        import_bank(db.session, bank_validation.validate(FIXTURE).bank, utcnow())
        db.session.commit()
    app.config["QUESTION_BANK_PATH"] = str(FIXTURE)
    return app
