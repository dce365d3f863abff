"""The fair-release draw at the size of a big centre's rush: 10 000 requests with 5 choices each
over 500 places (100 slots of 5), timed in the database as the scheduler runs it: `drawing.draw`
(eligibility re-checked, the lottery, the requests' outcomes written, the winners' holds and
everyone's messages queued) and its commit. The round, its slots, its requesters and their requests
are seeded first (not timed) with a few set-based statements. `python -m bench.lottery` seeds the
database of `DATABASE_URL` (default: the development settings) and prints the figure alone."""

from __future__ import annotations

import random
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from app.auth.models import User
from app.booking.eligibility import Policy
from app.booking.models import Slot
from app.centres.models import Centre
from app.core.clock import utcnow
from app.rounds import drawing, lottery
from app.rounds.models import ReleaseRound, RoundRequest, RoundStatus

REQUESTS, CHOICES, SLOTS, PLACES_PER_SLOT = 10_000, 5, 100, 5
NAME = "fair-release draw, 10 000 requests × 5 choices over 500 places"


@dataclass(frozen=True)
class DrawTimed:
    seconds: float
    winners: int
    round_id: int = 0


def seed_round(session: Session, centre: Centre, now: datetime, *, requests: int = REQUESTS, seed: int = 20) -> int:
    """A round due now over SLOTS fresh slots of PLACES_PER_SLOT places, with `requests` fresh
    requesters each choosing CHOICES of them; committed, returns the round's id."""
    chance = random.Random(seed)  # noqa: S311  (the data of a benchmark, not a secret)
    tag = secrets.token_hex(4)  # several runs on one database never collide
    release = ReleaseRound(
        centre_id=centre.id,
        exam_type="theory",
        category="DR",
        opens_at=now - timedelta(days=1),
        draw_at=now - timedelta(minutes=1),
        seed=lottery.new_seed(),
        seed_sha256="-",
        created_at=now,
    )
    session.add(release)
    session.flush()
    first = now + timedelta(days=3)  # to the microsecond: no two runs share a slot time
    slot_rows = [
        {
            "centre_id": centre.id,
            "exam_type": "theory",
            "category": "DR",
            "starts_at": first + timedelta(minutes=number * 7 + chance.randrange(7)),
            "ends_at": first + timedelta(minutes=number * 7 + 60),
            "capacity": PLACES_PER_SLOT,
            "booked": 0,
            "round_id": release.id,
            "created_at": now,
        }
        for number in range(SLOTS)
    ]
    slot_ids = list(session.scalars(sa.insert(Slot).returning(Slot.id, sort_by_parameter_order=True), slot_rows))
    people = [
        {
            "email": f"draw-{tag}-{number}@bench.kz",
            "password_hash": "-",
            "full_name": f"Requester {number}",
            "iin": f"D{tag[:3]}{number:08d}",  # a letter: never a real (all-digit) IIN
            "language": "ru",
            "role": "user",
            "active": True,
            "created_at": now,
            "updated_at": now,
        }
        for number in range(requests)
    ]
    user_ids = list(session.scalars(sa.insert(User).returning(User.id, sort_by_parameter_order=True), people))
    request_rows = [
        {
            "round_id": release.id,
            "user_id": user_id,
            "choices": chance.sample(slot_ids, CHOICES),
            "token": lottery.token(f"bench-{tag}".encode(), release.id, user_id),
            "created_at": now,
            "updated_at": now,
        }
        for user_id in user_ids
    ]
    session.execute(sa.insert(RoundRequest), request_rows)
    session.commit()
    return release.id


def time_draw(session: Session, round_id: int, now: datetime) -> DrawTimed:
    """The draw and its commit, as the scheduler's job runs them."""
    policy = Policy.from_config(current_app.config)
    hold_ttl = timedelta(hours=current_app.config["ROUND_HOLD_HOURS"])
    started = time.perf_counter()
    release = session.get(ReleaseRound, round_id)
    summary = drawing.draw(session, release, now, policy, hold_ttl)
    session.commit()
    seconds = time.perf_counter() - started
    assert session.get(ReleaseRound, round_id).status == RoundStatus.DRAWN
    return DrawTimed(seconds, summary.won if summary else 0, round_id)


def draw_in_database(app, requests: int = REQUESTS) -> DrawTimed:
    from app.extensions import db

    with app.app_context():
        now = utcnow()
        centre = db.session.scalar(sa.select(Centre).order_by(Centre.id).limit(1))
        round_id = seed_round(db.session, centre, now, requests=requests)
        db.session.expunge_all()
        return time_draw(db.session, round_id, now)


if __name__ == "__main__":
    from app import create_app

    timed = draw_in_database(create_app())
    print(f"{NAME}: {timed.seconds:.3f} s, {timed.winners} places given")
