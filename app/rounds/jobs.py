"""Running draws: one round (the command) or every due one (the scheduler's job), each in its own
transaction. Safe to run twice or on two schedulers at once: `drawing.draw` locks the round."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy.orm import Session

from app.booking.eligibility import Policy
from app.rounds import announcing, drawing


def _hold_ttl() -> timedelta:
    return timedelta(hours=current_app.config["ROUND_HOLD_HOURS"])


def draw_one(session: Session, round_id: int, now: datetime, policy: Policy) -> drawing.DrawSummary | None:
    """Draw one round and commit; None when it was drawn (or cancelled) already."""
    try:
        summary = drawing.draw(session, announcing.find_round(session, round_id), now, policy, _hold_ttl())
    except Exception:
        session.rollback()
        raise
    session.commit()
    return summary


def draw_due_rounds(session: Session, now: datetime) -> str:
    """The scheduler's job: every round whose draw time has come."""
    policy = Policy.from_config(current_app.config)
    drawn = [
        summary
        for round_id in drawing.due_round_ids(session, now)
        if (summary := draw_one(session, round_id, now, policy))
    ]
    return f"{len(drawn)} rounds drawn"
