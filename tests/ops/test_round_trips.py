"""Finding out who asks costs one round trip to PostgreSQL, and a request that wrote nothing no more.

Counted on the wire: libpq's protocol trace of the pooled connection has one ReadyForQuery per
round trip. Before: the pool's liveness check, BEGIN, the user's row and the ROLLBACK (4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.auth import services as auth_services
from app.auth import sessions
from app.auth.models import User
from app.core.clock import utcnow
from app.core.database import needs_transaction
from app.extensions import db
from bench.app import create_bench_app
from config import TestingConfig
from tests.conftest import BACKENDS, UserFactory

ON_POSTGRES = pytest.mark.parametrize("db_url", [b for b in BACKENDS if b == "postgresql"], indirect=True)


@pytest.fixture
def bench_app(app, db_url):
    """The app with the benchmark's /bench/whoami, on the test's PostgreSQL database."""
    bench = create_bench_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": db_url})
    yield bench
    with bench.app_context():
        db.session.remove()
        db.engine.dispose()


def traced(app, tmp_path, send) -> tuple[object, list[str]]:
    """`send()`'s answer and the protocol lines of the one pooled connection it used."""
    send()  # warm: the pool holds one connection, the statements are prepared
    with app.app_context():
        pooled = db.engine.pool.connect()
        driver = pooled.dbapi_connection
        pooled.close()
    trace = tmp_path / "libpq.trace"
    with trace.open("w") as sink:
        driver.pgconn.trace(sink.fileno())
        try:
            response = send()
        finally:
            driver.pgconn.untrace()
    return response, trace.read_text().splitlines()


def round_trips(lines: list[str]) -> int:
    return sum("\tReadyForQuery\t" in line for line in lines)


def sent_commands(lines: list[str]) -> list[str]:
    return [line.split('"')[1] for line in lines if "\tF\t" in line and "\tQuery\t" in line]


@pytest.mark.postgres_only
@ON_POSTGRES
def test_who_asks_by_session_is_one_round_trip(bench_app, tmp_path):
    user = UserFactory(bench_app)()
    with bench_app.app_context():
        record = db.session.get(User, user.id)
        sessions.start(db.session, record, lifetime=timedelta(hours=1), now=utcnow())
        login_id = record.get_id()
        db.session.commit()
    client = bench_app.test_client()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = login_id
    response, lines = traced(bench_app, tmp_path, lambda: client.get("/bench/whoami"))
    assert response.json == {"id": user.id}
    assert (round_trips(lines), sent_commands(lines)) == (1, [])  # no ping, BEGIN, COMMIT or ROLLBACK


@pytest.mark.postgres_only
@ON_POSTGRES
def test_who_asks_by_token_is_one_round_trip(bench_app, tmp_path):
    user = UserFactory(bench_app)()
    with bench_app.app_context():
        token, _ = auth_services.issue_token(db.session, db.session.get(User, user.id), 3600)
        db.session.commit()
    client = bench_app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    response, lines = traced(bench_app, tmp_path, lambda: client.get("/bench/whoami", headers=headers))
    assert response.json == {"id": user.id}
    assert (round_trips(lines), sent_commands(lines)) == (1, [])


@pytest.mark.postgres_only
@ON_POSTGRES
def test_a_write_is_one_transaction_begun_at_the_first_write(bench_app, tmp_path):
    """Reads first run on their own; BEGIN comes before the first write, and COMMIT ends it."""
    user = UserFactory(bench_app)()

    def rename():
        with bench_app.app_context():
            record = db.session.scalar(sa.select(User).where(User.id == user.id))
            locked = db.session.scalar(sa.select(User).where(User.id == user.id).with_for_update(of=User))
            locked.full_name = record.full_name + "!"
            db.session.commit()

    _, lines = traced(bench_app, tmp_path, rename)
    assert sent_commands(lines) == ["BEGIN", "COMMIT"]
    begin = next(i for i, line in enumerate(lines) if '"BEGIN"' in line)
    locking = next(i for i, line in enumerate(lines) if "FOR UPDATE" in line)
    assert begin < locking  # the locking read is inside the transaction
    with bench_app.app_context():
        assert db.session.get(User, user.id).full_name == "Test Person!!"


@pytest.mark.postgres_only
@ON_POSTGRES
def test_a_rollback_undoes_every_write(bench_app):
    user = UserFactory(bench_app)()
    with bench_app.app_context():
        db.session.scalar(sa.select(User).where(User.id == user.id))  # a read on its own
        db.session.execute(sa.update(User).where(User.id == user.id).values(full_name="Changed"))
        db.session.execute(sa.update(User).where(User.id == user.id).values(phone="+77011234567"))
        db.session.rollback()
        assert db.session.scalar(sa.select(User.full_name).where(User.id == user.id)) == "Test Person"


@pytest.mark.parametrize(
    ("statement", "needs"),
    [
        ("SELECT id FROM slot WHERE id = 1", False),
        ("  select id from slot", False),
        ("SELECT id FROM slot WHERE id = 1 FOR UPDATE", True),
        ("SELECT id FROM slot FOR NO KEY UPDATE SKIP LOCKED", True),
        ("SELECT id FROM slot FOR SHARE", True),
        ("SELECT pg_advisory_xact_lock(1)", True),
        ("UPDATE slot SET booked = 1", True),
        ("WITH claimed AS (UPDATE booking SET status = 'x' RETURNING id) SELECT id FROM claimed", True),
        ("INSERT INTO outbox_message DEFAULT VALUES", True),
        ("SAVEPOINT sa_1", True),
    ],
)
def test_only_plain_reads_run_outside_a_transaction(statement, needs):
    assert needs_transaction(statement) is needs
