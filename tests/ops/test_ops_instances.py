"""Two app servers (real gunicorn processes with the production settings file) on one PostgreSQL
and one Redis behave as one: a booking rush split across both never oversells, a rate limit hit on
one holds on the other, a session signed by one is good on the other, and both report the same
figures. (Two scheduler processes never doubling a message: tests/ops/test_scheduler_processes.py.)"""

from __future__ import annotations

import os
import threading
import uuid
from collections import Counter
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from app.booking.models import Booking, Slot
from app.core.clock import utcnow
from app.extensions import db
from tests.conftest import BACKENDS
from tests.support.booking_support import make_slot
from tests.support.servers import fire, gunicorn, request, sign_in, tokens_for

REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
LOGIN_LIMIT = 3

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.slow,  # gunicorn servers
    pytest.mark.parametrize("db_url", [b for b in BACKENDS if b == "postgresql"], indirect=True),
]


@contextmanager
def app_server(db_url: str, key_prefix: str, metrics_dir: Path):
    """One gunicorn server with two workers, as `deploy/Procfile.local` starts them."""
    env = {
        **os.environ,
        "KEZEK_ENV": "development",
        "SECRET_KEY": "two-instances-share-this-signing-key-" + key_prefix,
        "DATABASE_URL": db_url,
        "RATELIMIT_STORAGE_URI": REDIS,
        "RATELIMIT_KEY_PREFIX": key_prefix,
        "KEZEK_LOGIN_RATE_LIMIT": f"{LOGIN_LIMIT} per minute",
        "KEZEK_BOOKING_RATE_LIMIT": "1000 per minute",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "8",
        "KEZEK_LOG_FORMAT": "json",
    }
    with gunicorn(env) as port:
        yield port


@pytest.fixture
def two_servers(app, db_url, tmp_path):
    prefix = f"kezek-test-{uuid.uuid4().hex[:12]}"  # this test's rate-limit keys only
    with ExitStack() as stack:
        yield [stack.enter_context(app_server(db_url, prefix, tmp_path / name)) for name in ("a", "b")]


def test_two_instances_behave_as_one(app, centre, make_user, two_servers):
    first, second = two_servers

    # A booking rush split across both servers: 5 places left, 40 people, exactly 5 get one.
    slot = make_slot(app, capacity=25, starts=utcnow() + timedelta(days=5))
    with app.app_context():
        db.session.execute(sa.update(Slot).where(Slot.id == slot).values(booked=20))
        db.session.commit()
    tokens = tokens_for(app, [make_user() for _ in range(40)])
    halves = [(token, {"slot_id": slot}) for token in tokens]
    results = []
    threads = [
        threading.Thread(target=lambda port, part: results.extend(fire(port, part)), args=(port, part))
        for port, part in ((first, halves[::2]), (second, halves[1::2]))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Counter(status for status, _ in results) == {201: 5, 409: 35}
    with app.app_context():
        assert db.session.scalar(sa.select(Slot.booked).where(Slot.id == slot)) == 25
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 5

    # Both report the same figures from the shared database.
    for port in (first, second):
        assert metric(port, "kezek_bookings", status="held") == 5

    # A rate limit used up on one server holds on the other (the counters live in Redis).
    user = make_user()
    wrong = f'{{"email": "{user.email}", "password": "not-the-password-1"}}'
    json_headers = {"Content-Type": "application/json"}
    statuses = [request(first, "POST", "/api/v1/auth/token", wrong, json_headers)[0] for _ in range(LOGIN_LIMIT)]
    assert statuses == [401] * LOGIN_LIMIT
    assert request(second, "POST", "/api/v1/auth/token", wrong, json_headers)[0] == 429

    # A session (and its CSRF token) from one server is good on the other: signed, nothing local.
    other = make_user()
    signed_in = sign_in(other.email, form_from=first, post_to=second)
    assert signed_in, "the login form signed by the first server was refused by the second"
    assert request(first, "GET", "/booking/mine", headers={"Cookie": signed_in})[0] == 200


def metric(port: int, name: str, **labels) -> float:
    status, text, _ = request(port, "GET", "/metrics")
    assert status == 200
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    raise AssertionError(f"{name}{labels} not in the metrics of port {port}")
