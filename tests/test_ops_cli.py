"""Long CLI work shows its progress on standard error and ends with a summary line on standard
output (scripts read the summary; people watch the bar)."""

from __future__ import annotations

from app.auth.models import Role
from tests.booking_support import NOW, freeze
from tests.conftest import make_centre
from tests.staff_support import make_template


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
