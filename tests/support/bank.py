"""Helpers shared by several test modules (moved from test_question_bank.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.clock import utcnow
from app.exam import bank_validation
from app.exam.importing import import_bank
from app.extensions import db

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "bank"


@pytest.fixture
def loaded(app):
    with app.app_context():
        import_bank(db.session, bank_validation.validate(FIXTURE).bank, utcnow())
        db.session.commit()
    app.config["QUESTION_BANK_PATH"] = str(FIXTURE)
    return app
