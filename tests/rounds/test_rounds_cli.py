"""`flask rounds create|draw|verify` on the command line."""

from __future__ import annotations

import sqlalchemy as sa

from app.booking.models import Slot
from app.extensions import db
from app.rounds.models import ReleaseRound
from tests.support.booking_support import NOW, freeze
from tests.support.rounds_support import round_slots


def test_create_then_draw_only_when_due_then_verify(app, centre, runner):
    slots = round_slots(app, count=2, capacity=3)
    freeze(NOW)
    created = runner.invoke(
        args=[
            "rounds",
            "create",
            "--centre",
            "ALM",
            "--exam",
            "theory",
            "--category",
            "B",
            "--from",
            "2026-12-10",
            "--to",
            "2026-12-10",
            "--opens-at",
            "2026-12-01T10:00+05:00",
        ]
    )
    assert created.exit_code == 0, created.output
    assert "6 places" in created.output
    with app.app_context():
        release = db.session.scalars(sa.select(ReleaseRound)).one()
        assert release.draw_at.isoformat() == "2026-12-01T05:30:00+00:00"
        assert set(db.session.scalars(sa.select(Slot.id).where(Slot.round_id == release.id))) == set(slots)
        round_id, draw_at = release.id, release.draw_at
    early = runner.invoke(args=["rounds", "draw", str(round_id)])
    assert early.exit_code == 1
    assert "round-not-due" in early.output
    assert runner.invoke(args=["rounds", "verify", str(round_id)]).exit_code == 1
    # No slot in the period: refused with the reason.
    empty = runner.invoke(
        args=[
            *("rounds", "create", "--centre", "ALM", "--exam", "practical", "--category", "B"),
            *("--from", "2026-12-10", "--to", "2026-12-10", "--opens-at", "2026-12-01T10:00+05:00"),
        ]
    )
    assert empty.exit_code == 1
    assert "no-slots" in empty.output
    freeze(draw_at)
    drawn = runner.invoke(args=["rounds", "draw", str(round_id)])
    assert "0 won, 0 lost, 0 ineligible, 6 places left over" in drawn.output
    assert runner.invoke(args=["rounds", "verify", str(round_id)]).exit_code == 0
