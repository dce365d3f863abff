"""No oversell under real concurrency: the app served by a threaded server on PostgreSQL, and many
clients with their own bearer tokens fired at once at the last places of a slot."""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa

from app.booking.models import Booking, Slot
from app.extensions import db
from tests.conftest import BACKENDS
from tests.support.booking_support import NOW, freeze, make_slot
from tests.support.servers import fire, served, tokens_for

CLIENTS = 50
pytestmark = [
    pytest.mark.postgres_only,
    # The `app` fixture on PostgreSQL only (SQLite serialises writers anyway).
    pytest.mark.parametrize("db_url", [b for b in BACKENDS if b == "postgresql"], indirect=True),
]


def test_parallel_clients_never_oversell_the_last_places(app, centre, make_user):
    freeze(NOW)
    slot = make_slot(app, capacity=20)
    with app.app_context():  # 17 places are gone already: three are left
        db.session.execute(sa.update(Slot).where(Slot.id == slot).values(booked=17))
        db.session.commit()
    tokens = tokens_for(app, [make_user() for _ in range(CLIENTS)])

    with served(app) as port:
        results = fire(port, [(token, {"slot_id": slot}) for token in tokens])

    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 3, 409: CLIENTS - 3}
    assert {body["code"] for status, body in results if status == 409} == {"slot-full"}
    with app.app_context():
        assert db.session.scalar(sa.select(Slot.booked).where(Slot.id == slot)) == 20
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 3


def test_a_double_submit_makes_one_booking(app, centre, make_user):
    freeze(NOW)
    slot = make_slot(app, capacity=20)
    user = make_user()
    (token,) = tokens_for(app, [user])

    with served(app) as port:
        results = fire(port, [(token, {"slot_id": slot})] * 5)

    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 1, 422: 4}
    assert {body["code"] for status, body in results if status == 422} == {"not-eligible"}
    with app.app_context():
        assert db.session.scalar(sa.select(Slot.booked).where(Slot.id == slot)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 1
