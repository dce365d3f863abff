"""Helpers for the fair-release tests: verified applicants, a round over a few slots, tokens."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from app.auth import services as auth_services
from app.auth.models import User
from app.centres.models import Centre
from app.extensions import db
from app.rounds import announcing
from tests.support.booking_support import NOW, add_applicants, freeze, local, make_slot

ROUND_DAY = date(2026, 12, 10)  # a Thursday, nine days after NOW
OPENS = NOW
DRAW = NOW + timedelta(minutes=30)


def verified_applicants(app, count: int, *, first: int = 0) -> list[int]:
    """Applicants with an IIN and a phone confirmed by SMS; returns their ids."""
    ids = add_applicants(app, count, first=first)
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id.in_(ids)).values(phone="+77012345678", phone_confirmed_at=NOW))
        db.session.commit()
    return ids


def round_slots(app, count: int = 3, capacity: int = 2, exam: str = "theory") -> list[int]:
    """Slots on ROUND_DAY at 09:00, 10:00, … in Almaty."""
    return [
        make_slot(app, starts=local(2026, 12, ROUND_DAY.day, 9 + hour), capacity=capacity, exam=exam)
        for hour in range(count)
    ]


def announce_round(app, *, exam: str = "theory", opens=OPENS, draw=DRAW, now=None) -> int:
    freeze(now or opens - timedelta(minutes=1))
    with app.app_context():
        centre = db.session.scalar(sa.select(Centre).where(Centre.code == "ALM"))
        plan = announcing.RoundPlan(exam, "B", ROUND_DAY, ROUND_DAY, opens, draw)
        release = announcing.announce(db.session, centre, plan, now or opens - timedelta(minutes=1))
        db.session.commit()
        return release.id


def bearer(app, user_id: int) -> dict[str, str]:
    with app.app_context():
        token = auth_services.issue_token(db.session, db.session.get(User, user_id), 3600)[0]
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}
