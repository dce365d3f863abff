"""Hostile input gets a clear 4xx, never a 500: days at the ends of the calendar, page numbers
beyond any database integer, oversized and deeply nested bodies (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import pytest

from app.core import clock
from app.core.bodies import json_depth_exceeds
from app.ops.logs import TextFormatter, escape_controls
from config import Config
from tests.conftest import make_centre
from tests.support.access_matrix import pages_for, sample_url, server_error
from tests.support.hardening_support import seed_world
from tests.support.session_support import sign_in_client

HOSTILE_DAYS = ("9999-12-31", "0001-01-01")
HUGE_PAGE = str(10**20)
OUT_OF_RANGE = "This day is too far from today."
TEMPLATE = {
    "weekday": "3",
    "exam_type": "practical",
    "categories": ["B"],
    "opens_at": "09:00",
    "closes_at": "12:00",
    "slot_minutes": "90",
    "capacity": "4",
    "valid_from": "2026-12-01",
    "valid_to": "",
    "submit": "Save",
}
SLOTS = "/api/v1/slots?centre=ALM&exam=theory&category=B"

# (role, method, URL, form) -> the status every out-of-range day must get. `{day}` is the hostile
# day; `{booking_id}` and `{template_id}` name the seeded world's objects.
DAY_ROUTES = [
    ("user", "GET", "/booking/centres/ALM?date={day}", None, 400),
    ("user", "GET", "/booking/centres/ALM?view=month&date={day}", None, 400),
    ("user", "GET", "/booking/centres/ALM?view=table&date={day}", None, 400),
    ("user", "GET", "/booking/{booking_id}/reschedule?date={day}", None, 400),
    ("staff", "GET", "/staff/centres/ALM/?date={day}", None, 400),
    ("staff", "POST", "/staff/centres/ALM/block-day?date={day}", {"reason": "The car broke down"}, 400),
    ("staff", "GET", "/staff/centres/ALM/dashboard?first_day={day}", None, 400),
    ("staff", "GET", "/staff/centres/ALM/dashboard?last_day={day}", None, 400),
    ("staff", "GET", "/staff/centres/ALM/dashboard?first_day={day}&last_day={day}", None, 400),
    ("staff", "GET", "/staff/centres/ALM/bookings.csv?first_day={day}&last_day=2026-12-10", None, 400),
    ("staff", "GET", "/staff/centres/ALM/bookings.csv?last_day={day}", None, 400),
    ("admin", "GET", "/admin/dashboard?first_day=2026-12-01&last_day={day}", None, 400),
    (
        "staff",
        "POST",
        "/staff/centres/ALM/closures",
        {"first_day": "{day}", "last_day": "{day}", "reason": "Works"},
        422,
    ),
    ("staff", "POST", "/staff/centres/ALM/templates/new", {**TEMPLATE, "valid_from": "{day}"}, 422),
    ("staff", "POST", "/staff/templates/{template_id}", {**TEMPLATE, "valid_to": "{day}"}, 422),
    ("anonymous", "GET", SLOTS + "&from={day}", None, 422),
    ("anonymous", "GET", SLOTS + "&to={day}", None, 422),
    ("anonymous", "GET", SLOTS + "&from={day}&to={day}", None, 422),
]
PAGE_ROUTES = [
    ("anonymous", "/questions/?page={page}"),
    ("user", "/notifications?page={page}"),
    ("admin", "/admin/?page={page}"),
    ("admin", "/admin/audit?page={page}"),
]
QUERY_PARAMETERS = ("date", "view", "from", "to", "first_day", "last_day", "page", "week", "month", "day")


@pytest.fixture
def world(app, app_factory, make_user):
    """The seeded world, and an app on its database without CSRF or rate limits (tested elsewhere)."""
    seeded = seed_world(app, make_user)
    yield app_factory(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False), seeded
    clock.set_clock(None)


def client_as(app, world, role: str):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    if role != "anonymous":
        sign_in_client(app, client, world.users[role])
    return client


def _fill(value, day: str, ids: dict):
    if isinstance(value, dict):
        return {key: _fill(item, day, ids) for key, item in value.items()}
    if isinstance(value, str):
        return value.format(day=day, **ids)
    return value


@pytest.mark.parametrize("day", HOSTILE_DAYS)
def test_days_out_of_range_are_refused_on_every_route_that_takes_one(world, day):
    app, seeded = world
    for role, method, url, form, expected in DAY_ROUTES:
        filled = _fill(url, day, seeded.ids)
        client = client_as(app, seeded, role)
        response = client.open(filled, method=method, data=_fill(form, day, seeded.ids))
        assert response.status_code == expected, f"{method} {filled}: {response.status_code}"
        if filled.startswith("/api/"):
            assert response.mimetype == "application/problem+json"
            assert response.json["code"] == "validation-error"
            named = {name for name in ("from", "to") if f"&{name}=" in filled}
            assert response.json["errors"] == {name: [OUT_OF_RANGE] for name in named}
        else:
            assert OUT_OF_RANGE in response.get_data(as_text=True), f"{method} {filled}"


@pytest.mark.parametrize("page", [HUGE_PAGE, "0", "-1", "10001"])
def test_pages_beyond_the_last_possible_one_are_not_found(world, page):
    app, seeded = world
    for role, url in PAGE_ROUTES:
        response = client_as(app, seeded, role).get(url.format(page=page))
        assert response.status_code == 404, f"{url}: {response.status_code}"


def test_the_last_possible_page_is_an_empty_list_not_an_error(world):
    app, seeded = world
    assert client_as(app, seeded, "anonymous").get("/questions/?page=10000").status_code == 200


@pytest.mark.parametrize("value", [*HOSTILE_DAYS, HUGE_PAGE], ids=["last-day", "first-day", "huge-page"])
def test_no_page_answers_a_server_error_to_hostile_days_and_pages(world, value):
    """A crawler: every page each role may open, with the value in every date and page parameter."""
    app, seeded = world
    query = "&".join(f"{name}={value}" for name in QUERY_PARAMETERS)
    for role in ("anonymous", "user", "staff", "admin"):
        client = client_as(app, seeded, role)
        for endpoint, rule in pages_for(role):
            url = sample_url(endpoint, rule, seeded.ids)
            response = client.get(f"{url}?{query}")
            response.close()
            assert not server_error(response), f"{role} {endpoint} {url}: {response.status_code}"


def test_a_period_of_one_end_is_capped_like_one_of_both(world):
    """Only `to` (or only `from`): the other end follows from the default period, never from today."""
    app, seeded = world
    client = client_as(app, seeded, "staff")
    csv = client.get("/staff/centres/ALM/bookings.csv?last_day=2030-01-01")
    assert csv.status_code == 200
    assert "20291205-20300101" in csv.headers["Content-Disposition"]  # 28 days, like the default period
    long = client.get("/staff/centres/ALM/bookings.csv?first_day=2026-01-01&last_day=2030-01-01")
    assert "20260101-20270101" in long.headers["Content-Disposition"]  # capped at 366 days
    slots = client_as(app, seeded, "anonymous").get(SLOTS + "&to=2026-12-31")
    assert slots.status_code == 200


def test_a_body_over_the_limit_answers_413_unread(client):
    body = b'{"email": "' + b"a" * (1024 * 1024) + b'"}'
    api = client.post("/api/v1/auth/token", data=body, content_type="application/json")
    assert api.status_code == 413
    assert api.mimetype == "application/problem+json"
    assert api.json["code"] == "payload-too-large"
    page = client.post("/account/login", data={"email": "a" * (1024 * 1024), "password": "x"})
    assert page.status_code == 413
    assert page.mimetype == "text/html"
    assert "Request too large" in page.get_data(as_text=True)


def test_the_body_limit_is_a_setting(app_factory):
    assert Config.MAX_CONTENT_LENGTH == 1024 * 1024
    env = {**os.environ, "KEZEK_MAX_CONTENT_LENGTH": "1000"}
    read = subprocess.run(
        [sys.executable, "-c", "import config; print(config.Config.MAX_CONTENT_LENGTH)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert read.stdout.strip() == "1000"
    client = app_factory(MAX_CONTENT_LENGTH=1000).test_client()
    body = {"email": "a" * 1000, "password": "x"}
    assert client.post("/api/v1/auth/token", json=body).status_code == 413
    assert client.post("/api/v1/auth/token", json={"email": "a", "password": "x"}).status_code != 413


def test_json_nested_deeper_than_the_limit_answers_400(client):
    deep = "[" * 100_000 + "]" * 100_000
    api = client.post("/api/v1/auth/token", data=deep, content_type="application/json")
    assert api.status_code == 400
    assert api.mimetype == "application/problem+json"
    assert api.json["code"] == "json-too-deep"
    # Outside the API the refusal is the error page (before routing: this URL takes no POST).
    page = client.post("/healthz", data=deep, content_type="application/json")
    assert page.status_code == 400
    assert "The JSON body is nested too deeply." in page.get_data(as_text=True)


def test_json_within_the_depth_limit_reaches_the_schema(client):
    nested = {"email": "a@example.kz", "password": "x", "extra": json.loads("[" * 30 + "]" * 30)}
    response = client.post("/api/v1/auth/token", json=nested)
    assert response.status_code == 422  # the schema's answer: an unknown field
    assert response.json["code"] == "validation-error"


@pytest.mark.parametrize(
    ("body", "deep"),
    [
        (b"[" * 33 + b"]" * 33, True),
        (b"[" * 32 + b"]" * 32, False),
        (b'{"a": "' + b"[" * 100 + b'"}', False),  # brackets in a string are text
        (b'{"a": "\\"' + b"[" * 100 + b'"}', False),  # after an escaped quote, still in the string
        (b'[{"a": [' * 11 + b"1" + b"]}]" * 11, True),
    ],
)
def test_the_depth_is_counted_outside_strings(body, deep):
    assert json_depth_exceeds(body) is deep


FORGED = "2026-12-01 09:00:00,000 INFO kezek.auth [x] admin@kezek.kz signed in"


def test_a_line_feed_in_the_path_cannot_forge_a_text_log_line(client, caplog):
    caplog.set_level(logging.INFO, logger="kezek.access")
    client.get("/no-such-page%0D%0A" + FORGED.replace(" ", "%20") + "%E2%80%A8%1B[2J")
    (record,) = [record for record in caplog.records if record.name == "kezek.access"]
    assert "\n" in record.getMessage()  # the path is decoded: the record holds a real line feed
    line = TextFormatter().format(record)
    assert "\n" not in line
    assert "\r" not in line
    assert "\x1b" not in line
    assert "\u2028" not in line
    forged = FORGED.replace("admin@kezek.kz", "[email]")  # scrubbed as ever
    assert line.endswith("GET /no-such-page\\r\\n" + forged + "\\u2028\\x1b[2J 404")


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("a\nb\rc", "a\\nb\\rc"),
        ("nul\x00 bell\x07 tab\t del\x7f", "nul\\x00 bell\\x07 tab\\t del\\x7f"),
        ("next line\x85 csi\x9b", "next line\\x85 csi\\x9b"),
        ("line\u2028paragraph\u2029", "line\\u2028paragraph\\u2029"),
        ("Қазақстан — ok", "Қазақстан — ok"),
    ],
)
def test_every_control_character_is_escaped(text, escaped):
    assert escape_controls(text) == escaped


def test_a_traceback_stays_under_its_record():
    try:
        raise ValueError("bad input\n" + FORGED)
    except ValueError:
        record = logging.getLogger("kezek.test").makeRecord(
            "kezek.test", logging.ERROR, __file__, 1, "failed on %s", ("/x\ny",), sys.exc_info()
        )
    first, *rest = TextFormatter().format(record).split("\n")
    assert first.endswith("failed on /x\\ny")
    assert rest
    assert all(line.startswith("    ") for line in rest)
    assert rest[0] == "    Traceback (most recent call last):"


@pytest.mark.parametrize("option", ["--from", "--to"])
@pytest.mark.parametrize("day", HOSTILE_DAYS)
def test_the_export_command_refuses_days_out_of_range_in_one_line(app, runner, option, day):
    make_centre(app, "ALM")
    result = runner.invoke(args=["bookings", "export", "--centre", "ALM", option, day, "--output", "-"])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"Error: {option} '{day}' is outside" in result.output
