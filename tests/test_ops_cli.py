"""Long CLI work shows its progress on standard error and ends with a summary line on standard
output (scripts read the summary; people watch the bar)."""

from __future__ import annotations

from pathlib import Path

from app.auth.models import Role
from tests.booking_support import NOW, freeze
from tests.conftest import make_centre
from tests.staff_support import make_template

QUESTION_FIXTURE = Path(__file__).parent / "fixtures" / "bank"


def test_slot_generation_shows_progress_per_centre_and_a_summary(app, runner, make_user):
    freeze(NOW)
    admin = make_user(role=Role.ADMIN)
    for code in ("ALM", "AST", "SHY"):
        make_centre(app, code)
    for code in ("ALM", "AST"):  # SHY has no template: nothing to do there
        make_template(app, admin.id, centre_code=code)

    result = runner.invoke(args=["slots", "generate", "--days", "14"])

    assert result.exit_code == 0, result.output
    assert "Generating slots" in result.stderr
    # Wednesdays 2 and 9 December × 2 times × 2 categories × 2 centres.
    assert result.stdout.strip().splitlines() == ["16 slots added over the next 14 days"]


def test_question_import_shows_progress_and_a_summary(runner):
    result = runner.invoke(args=["questions", "import", str(QUESTION_FIXTURE)])

    assert result.exit_code == 0, result.output
    assert "Importing questions" in result.stderr
    assert result.stdout.strip().splitlines() == [
        "3 questions, 2 topics, languages: en kk ru; 3 created, 0 revised, 0 unchanged, 0 retired, 0 restored; "
        "2 topics; 1 profiles created"
    ]
