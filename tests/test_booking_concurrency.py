"""No oversell under real concurrency: the app served by a threaded server on PostgreSQL, and many
clients with their own bearer tokens fired at once at the last places of a slot."""

from __future__ import annotations

import http.client
import json
import threading
from collections import Counter
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from app.auth import services as auth_services
from app.auth.models import User
from app.booking.models import Booking, Slot
from app.extensions import db
from tests.booking_support import NOW, freeze, make_slot
from tests.conftest import BACKENDS

CLIENTS = 50
pytestmark = [
    pytest.mark.postgres_only,
    # The `app` fixture on PostgreSQL only (SQLite serialises writers anyway).
    pytest.mark.parametrize("db_url", [b for b in BACKENDS if b == "postgresql"], indirect=True),
]


@contextmanager
def served(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def tokens_for(app, users) -> list[str]:
    with app.app_context():
        tokens = [auth_services.issue_token(db.session, db.session.get(User, u.id), 3600)[0] for u in users]
        db.session.commit()
        return tokens


def fire(port: int, requests: list[tuple[str, dict]]) -> list[tuple[int, dict]]:
    """Send every (token, body) as POST /api/v1/bookings at the same moment, one thread each."""
    barrier = threading.Barrier(len(requests))
    results: list[tuple[int, dict] | None] = [None] * len(requests)

    def send(index: int, token: str, body: dict) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        barrier.wait()
        connection.request(
            "POST",
            "/api/v1/bookings",
            body=json.dumps(body),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        response = connection.getresponse()
        results[index] = (response.status, json.loads(response.read()))
        connection.close()

    threads = [threading.Thread(target=send, args=(i, *request)) for i, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


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
