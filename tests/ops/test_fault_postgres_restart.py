"""PostgreSQL restarted under load. Gunicorn runs as in production on a PostgreSQL server of the
test's own (tests/support/private_postgres.py; the shared one must stay up), applicants book, confirm and
cancel through the API and open their pages from several threads, and `pg_ctl restart -m fast`
cuts every connection in the middle.

The app answers again by itself, without restarting gunicorn (the first statement to fail on a
dead connection invalidates the pool, and a GET is served once more on a fresh one); requests
caught by the outage fail cleanly (503: problem+json for the API, a short
page for the site, never a traceback or a bare server error); nothing is half-applied (the
booking invariants hold) and no change the app acknowledged is lost."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import create_app
from app.booking.models import BookingEvent
from app.core.clock import utcnow
from app.extensions import db
from config import TestingConfig, database_url
from tests.conftest import UserFactory, make_centre
from tests.support.booking_support import assert_booking_invariants, make_slot
from tests.support.private_postgres import private_postgres  # noqa: F401  (the fixture)
from tests.support.servers import ROOT, gunicorn, request, sign_in, tokens_for

pytestmark = [pytest.mark.postgres_only, pytest.mark.slow]  # a private PostgreSQL server and gunicorn

APPLICANTS = 4  # one load thread each
RECOVERY_SECONDS = 3  # once the server is back, every request succeeds again within this
STEADY_SECONDS = 2  # load after that, all of which must succeed
OUTAGE_PAGE = '<p class="error-code">503</p>'  # the site's own error page (in the visitor's language)


@dataclass(frozen=True)
class Outcome:
    started: float  # time.monotonic()
    what: str
    expected: int
    status: int  # 0: no answer at all (connection refused or reset)
    content_type: str
    body: str

    @property
    def ok(self) -> bool:
        return self.status == self.expected

    @property
    def clean_failure(self) -> bool:
        """No answer, or a 503 in the form the client expects, asking it to come back."""
        if self.status == 0:
            return True
        if self.status != 503:
            return False
        if self.what.startswith("api"):
            problem = json.loads(self.body)
            return self.content_type == "application/problem+json" and problem["code"] == "service-unavailable"
        return self.content_type.startswith("text/html") and OUTAGE_PAGE in self.body


class Load:
    """Applicants hold, confirm and cancel a place through the API and open "My bookings", each
    in a thread of its own, until stopped. What the app acknowledged is kept to be checked."""

    def __init__(self, port: int, slot: int, tokens: list[str], browser_cookie: str):
        self.port, self.slot, self.tokens, self.browser_cookie = port, slot, tokens, browser_cookie
        self.outcomes: list[Outcome] = []
        self.acknowledged: list[tuple[int, str]] = []  # (booking id, history action)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.applicant, args=(token,)) for token in tokens]

    def call(self, what: str, expected: int, method: str, path: str, *, token=None, body=None) -> dict | None:
        headers = {"Authorization": f"Bearer {token}"} if token else {"Cookie": self.browser_cookie}
        if body is not None:
            headers["Content-Type"] = "application/json"
        started = time.monotonic()
        status, text, response_headers = request(self.port, method, path, json.dumps(body) if body else None, headers)
        outcome = Outcome(started, what, expected, status, response_headers.get("Content-Type", ""), text)
        with self.lock:
            self.outcomes.append(outcome)
        return json.loads(text) if outcome.ok and what.startswith("api") else None

    def applicant(self, token: str) -> None:
        unsure = False  # a request failed: its change may or may not have been committed
        while not self.stop.is_set():
            self.call("page: my bookings", 200, "GET", "/booking/mine")
            if unsure:
                mine = self.call("api: my bookings", 200, "GET", "/api/v1/bookings", token=token)
                if mine is None:
                    continue
                active = [booking["id"] for booking in mine if booking["status"] in ("held", "confirmed")]
                unsure = not all(self.step(token, f"/api/v1/bookings/{id_}/cancel", "cancelled", id_) for id_ in active)
                continue
            held = self.call("api: hold", 201, "POST", "/api/v1/bookings", token=token, body={"slot_id": self.slot})
            unsure = held is None or not (
                self.acknowledge(held["id"], "held")
                and self.step(token, f"/api/v1/bookings/{held['id']}/confirm", "confirmed", held["id"])
                and self.step(token, f"/api/v1/bookings/{held['id']}/cancel", "cancelled", held["id"])
            )

    def step(self, token: str, path: str, action: str, booking_id: int) -> bool:
        body = {"consent_personal_data": True, "fee_receipt": "KZ-2026-000123"} if action == "confirmed" else {}
        answer = self.call(f"api: {action}", 200, "POST", path, token=token, body=body or None)
        return answer is not None and self.acknowledge(booking_id, action)

    def acknowledge(self, booking_id: int, action: str) -> bool:
        with self.lock:
            self.acknowledged.append((booking_id, action))
        return True

    def successes(self) -> int:
        with self.lock:
            return sum(outcome.ok for outcome in self.outcomes)


@pytest.fixture
def restart_world(private_postgres, tmp_path):  # noqa: F811  (the fixture imported above)
    """A migrated database on the private server with a centre, a slot, applicants with API
    tokens and one signed-in browser; the gunicorn serving it. Yields (app, load)."""
    url = private_postgres.create_database(f"kezek_restart_{secrets.token_hex(4)}")
    env = {
        **os.environ,
        # The benchmark's app: production over plain http on 127.0.0.1, no rate limits (bench.app.BenchConfig).
        "KEZEK_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": url,
        "KEZEK_BOOKING_COOLDOWN_DAYS": "0",  # the same applicants book again and again,
        "KEZEK_BOOKING_DAILY_HOLD_LIMIT": "100000",  # many times a day
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "2",
    }
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "bench.wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": database_url(url)})
    try:
        make_centre(app)
        slot = make_slot(app, capacity=APPLICANTS, starts=utcnow() + timedelta(days=5))
        make_user = UserFactory(app)
        applicants = [make_user() for _ in range(APPLICANTS)]
        browser = make_user()
        with gunicorn(env, tmp_path / "gunicorn.log", wsgi_app="bench.wsgi:app") as port:
            cookie = sign_in(browser.email, form_from=port, post_to=port)
            yield app, Load(port, slot, tokens_for(app, applicants), cookie)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_postgres_restart_under_load(private_postgres, restart_world):  # noqa: F811
    app, load = restart_world
    for thread in load.threads:
        thread.start()
    try:
        deadline = time.monotonic() + 20
        while load.successes() < 40:  # the load is running: some rounds went through before the restart
            assert time.monotonic() < deadline, load.outcomes[-5:]
            time.sleep(0.05)
        private_postgres.restart()
        back = time.monotonic()
        time.sleep(RECOVERY_SECONDS + STEADY_SECONDS)
    finally:
        load.stop.set()
        for thread in load.threads:
            thread.join(60)

    failures = [outcome for outcome in load.outcomes if not outcome.ok]
    assert failures, "the restart went unnoticed: the test did not exercise an outage"
    assert [f for f in failures if not f.clean_failure] == [], "an answer during the outage was not a clean 503"
    recovered = [outcome for outcome in load.outcomes if outcome.started > back + RECOVERY_SECONDS]
    assert len(recovered) > 20, "too little load after the recovery to judge it"
    assert [outcome for outcome in recovered if not outcome.ok] == [], "the app did not come back by itself"

    with app.app_context():
        db.engine.dispose()  # the test's own connections died in the restart too
        assert_booking_invariants(db.session)
        history = set(db.session.execute(sa.select(BookingEvent.booking_id, BookingEvent.action)).tuples())
    assert set(load.acknowledged) <= history, "a change the app acknowledged was lost"


def test_an_answer_survives_its_connection_dying_before_the_request_ends(private_postgres):  # noqa: F811
    """The session's connection is dropped after the view has made its answer (as when the database
    restarts right after a commit): the teardown's rollback fails, and the answer must still be sent."""
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": database_url(private_postgres.url())})

    def view_then_restart():
        db.session.execute(sa.text("SELECT 1"))  # the request's session holds a connection
        private_postgres.restart()
        return "answered"

    app.add_url_rule("/query-then-restart", view_func=view_then_restart)
    app.add_url_rule("/select-two", view_func=lambda: str(db.session.scalar(sa.text("SELECT 2"))))
    try:
        response = app.test_client().get("/query-then-restart")
        assert (response.status_code, response.text) == (200, "answered")
        # The pool still holds the dead connection (nothing checks it before use): the next GET
        # meets it, and is served again on a fresh connection.
        response = app.test_client().get("/select-two")
        assert (response.status_code, response.text) == (200, "2")
    finally:
        with app.app_context():
            db.engine.dispose()


def test_after_a_restart_a_get_is_tried_again_and_a_post_answers_503(private_postgres):  # noqa: F811
    url = database_url(private_postgres.url())
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    served = []

    def count():
        served.append(request_method())
        return str(db.session.scalar(sa.text("SELECT 2")))

    app.add_url_rule("/count", view_func=count, methods=["GET", "POST"])
    client = app.test_client()
    try:
        assert client.get("/count").status_code == 200  # a pooled connection; then the server restarts
        private_postgres.restart()
        response = client.post("/count")
        assert (response.status_code, served[-1]) == (503, "POST"), "a POST is never repeated by the server"
        assert response.headers["Retry-After"]
        # The POST's failure invalidated the pool: the GET gets a fresh connection the first time.
        served.clear()
        assert (client.get("/count").text, served) == ("2", ["GET"])
        private_postgres.restart()
        served.clear()  # the dead connection is back in the pool: the GET meets it, and is served again
        response = client.get("/count")
        assert (response.status_code, response.text, served) == (200, "2", ["GET", "GET"])
    finally:
        with app.app_context():
            db.engine.dispose()


def request_method() -> str:
    from flask import request

    return request.method
