"""On PostgreSQL: many requests filed over the API at once, then two draws started at the same
moment. The round is drawn once, each place goes to one person, the published draw verifies, and
a changed published outcome does not."""

from __future__ import annotations

import http.client
import json
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.booking.eligibility import Policy
from app.booking.models import Booking, Slot
from app.extensions import db
from app.rounds import verifying
from app.rounds.jobs import draw_one
from app.rounds.models import ReleaseRound, RoundRequest
from tests.conftest import BACKENDS
from tests.support.booking_support import NOW, freeze
from tests.support.rounds_support import DRAW, announce_round, round_slots, verified_applicants
from tests.support.servers import served, tokens_for

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres_only,
    pytest.mark.parametrize("db_url", [b for b in BACKENDS if b == "postgresql"], indirect=True),
]

PEOPLE = 600
CLIENTS = 16  # connections filing at the same time


class _Person:
    def __init__(self, user_id: int):
        self.id = user_id


def _post(port: int, path: str, token: str, body: dict) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request(
        "POST",
        path,
        body=json.dumps(body),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    status = connection.getresponse().status
    connection.close()
    return status


def test_requests_at_once_then_two_draws_at_once(app, centre):
    app.config["ROUND_ADDRESS_RATE_LIMIT"] = "100000 per minute"  # every client here shares 127.0.0.1
    slots = round_slots(app, count=5, capacity=6)  # 30 places
    round_id = announce_round(app)
    people = verified_applicants(app, PEOPLE)
    tokens = tokens_for(app, [_Person(person) for person in people])
    freeze(NOW + timedelta(minutes=1))
    path = f"/api/v1/rounds/{round_id}/requests"
    with served(app) as port, ThreadPoolExecutor(CLIENTS) as pool:
        bodies = [{"choices": [slots[n % 5], slots[(n + 2) % 5], slots[(n + 4) % 5]]} for n in range(PEOPLE)]
        statuses = list(pool.map(lambda pair: _post(port, path, *pair), zip(tokens, bodies, strict=True)))
        # The same person again, at once with others: refused.
        again = list(pool.map(lambda token: _post(port, path, token, bodies[0]), tokens[:CLIENTS]))
    assert Counter(statuses) == {201: PEOPLE}
    assert Counter(again) == {409: CLIENTS}

    freeze(DRAW + timedelta(seconds=1))
    start = threading.Barrier(2, timeout=30)
    outcomes: list = [None, None]

    def draw(index: int) -> None:
        with app.app_context():
            start.wait()
            try:
                outcomes[index] = draw_one(db.session, round_id, DRAW + timedelta(seconds=1), Policy())
            except BaseException as error:
                outcomes[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=draw, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    drawn = [outcome for outcome in outcomes if outcome is not None]
    assert not any(isinstance(outcome, BaseException) for outcome in outcomes), outcomes
    assert len(drawn) == 1, outcomes  # the other found it drawn
    assert (drawn[0].won, drawn[0].lost, drawn[0].leftover) == (30, PEOPLE - 30, 0)

    with app.app_context():
        won = db.session.scalars(sa.select(RoundRequest).where(RoundRequest.outcome == "won")).all()
        assert len(won) == 30
        assert len({request.user_id for request in won}) == 30
        per_slot = Counter(request.slot_id for request in won)
        for slot in db.session.scalars(sa.select(Slot).where(Slot.id.in_(slots))):
            held = db.session.scalar(sa.select(sa.func.count()).where(Booking.slot_id == slot.id))
            assert per_slot[slot.id] == held == slot.booked <= slot.capacity
            assert slot.round_id is None
        release = db.session.get(ReleaseRound, round_id)
        assert verifying.verify(verifying.published(db.session, release)).matches
        # A changed published outcome: one loser shown as the winner of a place.
        loser = db.session.scalars(sa.select(RoundRequest).where(RoundRequest.outcome == "lost")).first()
        loser.outcome, loser.slot_id = "won", loser.choices[0]
        db.session.commit()
        assert not verifying.verify(verifying.published(db.session, release)).matches


def test_one_person_submitting_many_times_at_once_files_one_request(app, centre):
    """A double (or eightfold) press: the unique key decides inside the insert, so exactly one
    submit files the request and every other one is told it exists; nothing answers 500."""
    app.config["ROUND_ADDRESS_RATE_LIMIT"] = "100000 per minute"
    app.config["ROUND_REQUEST_RATE_LIMIT"] = "100000 per minute"
    slots = round_slots(app, count=2, capacity=1)
    round_id = announce_round(app)
    (person,) = verified_applicants(app, 1)
    (token,) = tokens_for(app, [_Person(person)])
    freeze(NOW + timedelta(minutes=1))
    path = f"/api/v1/rounds/{round_id}/requests"
    with served(app) as port, ThreadPoolExecutor(CLIENTS) as pool:
        statuses = list(pool.map(lambda _: _post(port, path, token, {"choices": slots}), range(CLIENTS)))
    assert Counter(statuses) == {201: 1, 409: CLIENTS - 1}
    with app.app_context():
        filed = db.session.scalars(sa.select(RoundRequest).where(RoundRequest.round_id == round_id)).all()
        assert [(request.user_id, request.choices) for request in filed] == [(person, slots)]
