"""Every route of the app × every kind of visitor, generated from `app.url_map`.

Each route is classified below; a new route without a classification fails the test, so nobody
adds a page without saying who may open it. The seeded world (tests/support/hardening_support.py) gives
every URL variable an object of the applicant `user` at centre ALM, so `other` (another
applicant) and `foreign_staff` (staff of AST) must get 404 for it, never the object.

Access rules live in Python, not in SQL: the matrix runs on a SQLite copy of one seeded database
per route (fast, and every route starts from the same state).
"""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from bs4 import BeautifulSoup

from app import create_app
from app.core import clock
from app.extensions import db
from config import TestingConfig
from tests.conftest import UserFactory
from tests.support.access_matrix import (
    LOGIN,
    MATRIX,
    OK,
    ROUTES,
    sample_url,
    server_error,
)
from tests.support.booking_support import NOW, freeze
from tests.support.hardening_support import ROLES, seed_world

# What each visitor gets: OK = allowed (any answer below 500 that is not a refusal: the page, a
# redirect after the action, or 400/422 for the empty form we send), LOGIN = sent to sign in (302
# to the login page; 401 from the API), 403 = wrong role, 404 = not theirs / not their centre.


# Valid API bodies, so that ownership is what decides (an invalid body is answered 422 first).
API_BODIES = {
    "api_appeals.Appeals": {"subject": "booking", "centre": "ALM", "essence": "Refused", "postal_address": "Almaty"},
    "api_booking.Bookings": {"slot_id": "{slot_id}"},
    "api_booking.Confirm": {"consent_personal_data": True, "fee_receipt": "KZ-2026-000124"},
    "api_booking.Reschedule": {"slot_id": "{slot_id}"},
    # A slot outside the round: the answer (422) comes after the checks of who asks.
    "api_rounds.RoundRequests": {"choices": [1]},
    "api_rounds.RequestItem": {"choices": [1]},
    "api_exam.Answer": {"option_id": 1},
    "api_practice.Answers": {"answers": []},
    "api_staff.Block": {"reason": "The car broke down"},
    "api_staff.CheckIn": {"documents": {"identity": True, "medical": True, "fee": True, "school": True}},
    "api_staff.Result": {"passed": True, "points": 35},
}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """One seeded SQLite database (copied for every route) and the world in it."""
    path = tmp_path_factory.mktemp("matrix") / "seed.sqlite"
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        db.create_all()
    world = seed_world(app, UserFactory(app))
    with app.app_context():
        db.engine.dispose()
    clock.set_clock(None)
    return path, world


def _app_on_copy(seeded, tmp_path, **overrides):
    """The app on a fresh copy of the seeded database (rate limits off: tested on their own)."""
    source, world = seeded
    copy = tmp_path / "matrix.sqlite"
    shutil.copy(source, copy)
    freeze(NOW)
    app = create_app(
        TestingConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{copy}", "RATELIMIT_ENABLED": False, **overrides}
    )

    def restore():
        """Back to the seeded state (one visitor's action must not change what the next one gets)."""
        with app.app_context():
            db.engine.dispose()
        shutil.copy(source, copy)

    app.restore = restore
    app.database_path = copy
    return app, world


@pytest.fixture
def matrix_app(seeded, tmp_path):
    """Without CSRF, which is tested on its own below: the matrix is about who may do what."""
    yield _app_on_copy(seeded, tmp_path, WTF_CSRF_ENABLED=False)
    clock.set_clock(None)


@pytest.fixture
def csrf_app(seeded, tmp_path):
    yield _app_on_copy(seeded, tmp_path)
    clock.set_clock(None)


def api_body(endpoint: str, ids: dict) -> dict:
    body = API_BODIES.get(endpoint, {})
    return {key: ids["slot_id"] if value == "{slot_id}" else value for key, value in body.items()}


def request_as(app, world, role: str, method: str, url: str, endpoint: str = ""):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    headers, extra = {}, {}
    api = url.startswith("/api/")
    if role != "anonymous":
        if api:
            headers["Authorization"] = f"Bearer {world.tokens[role]}"
        else:
            with client.session_transaction() as session:
                session["_user_id"] = world.logins[role]
                session["_fresh"] = True
    if api and method != "GET":
        extra["json"] = api_body(endpoint, world.ids)
    return client.open(url, method=method, headers=headers, **extra)


def outcome(response) -> str | int:
    status = response.status_code
    response.close()  # files sent by `send_file`
    assert not server_error(response), f"server error {status}"
    if status == 401 or (status == 302 and response.headers["Location"].startswith("/account/login")):
        return LOGIN
    if status in (403, 404):
        return status
    return OK


def test_every_route_is_classified():
    assert {(endpoint, method) for endpoint, method, _ in ROUTES} == set(MATRIX)


@pytest.mark.parametrize(("endpoint", "method", "rule"), ROUTES, ids=[f"{m} {r}" for _, m, r in ROUTES])
def test_access_matrix(matrix_app, endpoint, method, rule):
    app, world = matrix_app
    url = sample_url(endpoint, rule, world.ids)
    answers = {}
    for role in ROLES:
        app.restore()
        answers[role] = outcome(request_as(app, world, role, method, url, endpoint))
    assert answers == dict(zip(ROLES, MATRIX[(endpoint, method)], strict=True))


def test_refused_api_requests_are_problems_without_details(matrix_app):
    """A 404 for another person's object says nothing about it."""
    app, world = matrix_app
    response = request_as(app, world, "other", "GET", f"/api/v1/bookings/{world.ids['booking_id']}")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert str(world.ids["booking_id"]) not in response.get_data(as_text=True)


def test_another_persons_booking_page_shows_nothing_of_it(matrix_app):
    app, world = matrix_app
    response = request_as(app, world, "other", "GET", f"/booking/{world.ids['booking_id']}")
    text = BeautifulSoup(response.get_data(as_text=True), "html.parser").get_text()
    assert response.status_code == 404
    assert "Aigerim" not in text


def _snapshot(path) -> list[str]:
    with sqlite3.connect(path) as connection:
        return list(connection.iterdump())


# Telegram's webhook carries no cookies and proves itself by its secret header instead (403 without).
CSRF_EXEMPT = {"/telegram/webhook"}
FORM_POSTS = [
    route for route in ROUTES if route[1] == "POST" and not route[2].startswith("/api/") and route[2] not in CSRF_EXEMPT
]


@pytest.mark.parametrize(("endpoint", "method", "rule"), FORM_POSTS, ids=[r for _, _, r in FORM_POSTS])
@pytest.mark.parametrize("token", [None, "forged"])
def test_forms_without_a_valid_csrf_token_are_refused(csrf_app, endpoint, method, rule, token):
    """Posted by someone allowed to (the first role the matrix lets in): still 400, nothing changed."""
    app, world = csrf_app
    role = next(role for role, expected in zip(ROLES, MATRIX[(endpoint, method)], strict=True) if expected == OK)
    before = _snapshot(app.database_path)
    client = app.test_client()
    if role != "anonymous":
        with client.session_transaction() as session:
            session["_user_id"] = world.logins[role]
            session["_fresh"] = True
    data = {"csrf_token": token} if token else {}
    response = client.post(sample_url(endpoint, rule, world.ids), data=data)
    assert response.status_code == 400
    with app.app_context():
        db.engine.dispose()
    assert _snapshot(app.database_path) == before
