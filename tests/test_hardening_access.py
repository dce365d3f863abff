"""Every route of the app × every kind of visitor, generated from `app.url_map`.

Each route is classified below; a new route without a classification fails the test, so nobody
adds a page without saying who may open it. The seeded world (tests/hardening_support.py) gives
every URL variable an object of the applicant `user` at centre ALM, so `other` (another
applicant) and `foreign_staff` (staff of AST) must get 404 for it, never the object.

Access rules live in Python, not in SQL: the matrix runs on a SQLite copy of one seeded database
per route (fast, and every route starts from the same state).
"""

from __future__ import annotations

import re
import shutil
import sqlite3

import pytest
from bs4 import BeautifulSoup

from app import create_app
from app.core import clock
from app.extensions import db
from config import TestingConfig
from tests.booking_support import NOW, freeze
from tests.conftest import UserFactory
from tests.hardening_support import ROLES, seed_world

# What each visitor gets: OK = allowed (any answer below 500 that is not a refusal: the page, a
# redirect after the action, or 400/422 for the empty form we send), LOGIN = sent to sign in (302
# to the login page; 401 from the API), 403 = wrong role, 404 = not theirs / not their centre.
OK, LOGIN = "ok", "login"
PUBLIC = (OK,) * 6
SIGNED_IN = (LOGIN, OK, OK, OK, OK, OK)
OWN_PAGE = (LOGIN, OK, 404, 403, 403, 403)  # an applicant's own object (booking pages are for applicants)
APPLICANT = (LOGIN, OK, OK, 403, 403, 403)
STAFF_CENTRE = (LOGIN, 403, 403, 404, OK, OK)  # an object of staff's own centre; admins see all
ADMIN = (LOGIN, 403, 403, 403, 403, OK)
OWN_ATTEMPT = (404, OK, 404, 404, 404, 404)  # anonymous attempts belong to their browser session
API_PUBLIC = PUBLIC
API_SIGNED_IN = SIGNED_IN
API_APPLICANT = (LOGIN, OK, OK, 403, 403, 403)
API_OWN = (LOGIN, OK, 404, 404, 404, 404)
API_STAFF_CENTRE = (LOGIN, 403, 403, 404, OK, OK)

# (endpoint, method) -> expected answer per role, in the order of `ROLES`:
# anonymous, user (the owner), other, foreign_staff, staff, admin.
MATRIX = {
    ("main.index", "GET"): PUBLIC,
    ("ops.healthz", "GET"): PUBLIC,
    ("ops.readyz", "GET"): PUBLIC,
    ("prometheus_metrics", "GET"): PUBLIC,
    ("main.set_language", "POST"): PUBLIC,
    ("main.staff_home", "GET"): (LOGIN, 403, 403, OK, OK, 403),
    ("admin.home", "GET"): ADMIN,
    ("static", "GET"): PUBLIC,
    ("auth.login", "GET"): PUBLIC,
    ("auth.login", "POST"): PUBLIC,
    ("auth.logout", "POST"): PUBLIC,
    ("auth.register", "GET"): PUBLIC,
    ("auth.register", "POST"): PUBLIC,
    ("auth.reset_request", "GET"): PUBLIC,
    ("auth.reset_request", "POST"): PUBLIC,
    ("auth.reset_password", "GET"): PUBLIC,
    ("auth.reset_password", "POST"): PUBLIC,
    ("auth.sign_out_everywhere", "POST"): SIGNED_IN,
    ("auth.password", "GET"): SIGNED_IN,
    ("auth.password", "POST"): SIGNED_IN,
    ("auth.profile", "GET"): SIGNED_IN,
    ("auth.profile", "POST"): SIGNED_IN,
    ("questions.browse", "GET"): PUBLIC,
    ("questions.image", "GET"): PUBLIC,
    ("exam.index", "GET"): PUBLIC,
    ("exam.start", "POST"): PUBLIC,
    ("exam.resume", "GET"): OWN_ATTEMPT,
    ("exam.question", "GET"): OWN_ATTEMPT,
    ("exam.submit_answer", "POST"): OWN_ATTEMPT,
    ("exam.confirm_finish", "GET"): OWN_ATTEMPT,
    ("exam.confirm_finish", "POST"): OWN_ATTEMPT,
    ("exam.switch_language", "POST"): OWN_ATTEMPT,
    ("exam.result", "GET"): OWN_ATTEMPT,
    ("exam.history", "GET"): SIGNED_IN,
    ("exam.readiness", "GET"): SIGNED_IN,
    ("exam.edit_profile", "GET"): ADMIN,
    ("exam.edit_profile", "POST"): ADMIN,
    ("exam.item_statistics", "GET"): (LOGIN, 403, 403, OK, OK, OK),
    ("exam.item_statistics_csv", "GET"): (LOGIN, 403, 403, OK, OK, OK),
    ("notify.inbox", "GET"): SIGNED_IN,
    ("admin.jobs", "GET"): ADMIN,
    ("admin.retry", "POST"): ADMIN,
    ("booking.index", "GET"): APPLICANT,
    ("booking.centre", "GET"): APPLICANT,
    ("booking.mine", "GET"): APPLICANT,
    ("booking.hold", "POST"): APPLICANT,
    ("booking.join_waitlist", "POST"): APPLICANT,
    ("booking.leave_waitlist", "POST"): OWN_PAGE,
    ("booking.detail", "GET"): OWN_PAGE,
    ("booking.detail", "POST"): OWN_PAGE,
    ("booking.calendar_file", "GET"): OWN_PAGE,
    ("booking.cancel", "POST"): OWN_PAGE,
    ("booking.print_ticket", "GET"): OWN_PAGE,
    ("booking.reschedule", "GET"): OWN_PAGE,
    ("booking.reschedule", "POST"): OWN_PAGE,
    ("appeals.mine", "GET"): APPLICANT,
    ("appeals.new", "GET"): APPLICANT,
    ("appeals.new", "POST"): APPLICANT,
    ("appeals.detail", "GET"): OWN_PAGE,
    ("appeals.complain", "POST"): OWN_PAGE,
    ("appeals.withdraw", "POST"): OWN_PAGE,
    ("appeals_staff.queue", "GET"): (LOGIN, 403, 403, OK, OK, OK),
    ("appeals_staff.case", "GET"): STAFF_CENTRE,
    ("appeals_staff.show_iin", "POST"): STAFF_CENTRE,
    ("appeals_staff.register", "POST"): STAFF_CENTRE,
    ("appeals_staff.refer", "POST"): STAFF_CENTRE,
    ("appeals_staff.extend", "POST"): STAFF_CENTRE,
    ("appeals_staff.decide", "POST"): STAFF_CENTRE,
    ("appeals_staff.decide_complaint", "POST"): STAFF_CENTRE,
    ("staff.show_iin", "POST"): STAFF_CENTRE,
    ("staff.day", "GET"): STAFF_CENTRE,
    ("staff.block_day", "POST"): STAFF_CENTRE,
    ("staff.bookings_csv", "GET"): STAFF_CENTRE,
    ("staff.closures", "GET"): STAFF_CENTRE,
    ("staff.closures", "POST"): STAFF_CENTRE,
    ("staff.delete_closure", "POST"): STAFF_CENTRE,
    ("staff.dashboard", "GET"): STAFF_CENTRE,
    ("staff.generate", "POST"): STAFF_CENTRE,
    ("staff.templates", "GET"): STAFF_CENTRE,
    ("staff.new_template", "GET"): STAFF_CENTRE,
    ("staff.new_template", "POST"): STAFF_CENTRE,
    ("staff.edit_template", "GET"): STAFF_CENTRE,
    ("staff.edit_template", "POST"): STAFF_CENTRE,
    ("staff.delete_template", "POST"): STAFF_CENTRE,
    ("staff.slot", "GET"): STAFF_CENTRE,
    ("staff.block", "POST"): STAFF_CENTRE,
    ("staff.capacity", "POST"): STAFF_CENTRE,
    ("staff.no_shows", "POST"): STAFF_CENTRE,
    ("staff.roster_print", "GET"): STAFF_CENTRE,
    ("staff.roster_csv", "GET"): STAFF_CENTRE,
    ("staff.booking", "GET"): STAFF_CENTRE,
    ("staff.check_in", "POST"): STAFF_CENTRE,
    ("staff.result", "POST"): STAFF_CENTRE,
    ("admin.audit", "GET"): ADMIN,
    ("admin.dashboard", "GET"): ADMIN,
    ("admin.centres", "GET"): ADMIN,
    ("admin.centres", "POST"): ADMIN,
    ("admin.edit_centre", "GET"): ADMIN,
    ("admin.edit_centre", "POST"): ADMIN,
    ("admin.staff", "GET"): ADMIN,
    ("admin.staff", "POST"): ADMIN,
    ("admin.set_active", "POST"): ADMIN,
    ("api-docs.openapi_json", "GET"): API_PUBLIC,
    ("api_auth.Register", "POST"): API_PUBLIC,
    ("api_auth.Token", "POST"): API_PUBLIC,
    ("api_auth.Token", "DELETE"): API_SIGNED_IN,
    ("api_exam.Profiles", "GET"): API_PUBLIC,
    ("api_exam.Attempts", "POST"): API_SIGNED_IN,
    ("api_exam.AttemptDetail", "GET"): API_OWN,
    ("api_exam.Answer", "PUT"): API_OWN,
    ("api_exam.Finish", "POST"): API_OWN,
    ("api_booking.Centres", "GET"): API_PUBLIC,
    ("api_booking.Slots", "GET"): API_PUBLIC,
    ("api_booking.Bookings", "GET"): API_SIGNED_IN,
    ("api_booking.Bookings", "POST"): API_APPLICANT,
    ("api_booking.BookingItem", "GET"): API_OWN,
    ("api_booking.calendar", "GET"): API_OWN,
    ("api_booking.Confirm", "POST"): API_OWN,
    ("api_booking.Reschedule", "POST"): API_OWN,
    ("api_booking.Cancel", "POST"): API_OWN,
    ("api_staff.Roster", "GET"): API_STAFF_CENTRE,
    ("api_staff.CheckIn", "POST"): API_STAFF_CENTRE,
    ("api_staff.Result", "POST"): API_STAFF_CENTRE,
    ("api_staff.Block", "POST"): API_STAFF_CENTRE,
    ("api_appeals.Appeals", "POST"): API_APPLICANT,
    ("api_appeals.AppealItem", "GET"): (LOGIN, OK, 404, 404, OK, OK),
}

# URL variables that need another value than the seeded world's default.
SAMPLE_OVERRIDES = {
    "exam.edit_profile": {"code": "B"},
    "questions.image": {"name": "crossings-zebra-adjacent-lane.svg"},
}
# Valid API bodies, so that ownership is what decides (an invalid body is answered 422 first).
API_BODIES = {
    "api_appeals.Appeals": {"subject": "booking", "centre": "ALM", "essence": "Refused", "postal_address": "Almaty"},
    "api_booking.Bookings": {"slot_id": "{slot_id}"},
    "api_booking.Confirm": {"consent_personal_data": True, "fee_receipt": "KZ-2026-000124"},
    "api_booking.Reschedule": {"slot_id": "{slot_id}"},
    "api_exam.Answer": {"option_id": 1},
    "api_staff.Block": {"reason": "The car broke down"},
    "api_staff.CheckIn": {"documents": {"identity": True, "medical": True, "fee": True, "school": True}},
    "api_staff.Result": {"passed": True, "points": 35},
}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _routes():
    app = create_app(TestingConfig)
    return sorted(
        (rule.endpoint, method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods
        if method in METHODS
    )


ROUTES = _routes()


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


def sample_url(endpoint: str, rule: str, ids: dict) -> str:
    values = {**ids, **SAMPLE_OVERRIDES.get(endpoint, {})}
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(values[match.group(1)]), rule)


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


def server_error(response) -> bool:
    """A 5xx, except the readiness probe's 503 (a test database is not migrated by Alembic)."""
    return response.status_code >= 500 and not (response.status_code == 503 and response.request.path == "/readyz")


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


FORM_POSTS = [route for route in ROUTES if route[1] == "POST" and not route[2].startswith("/api/")]


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
