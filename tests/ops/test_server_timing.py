"""Every answer says how long the server worked on it and how much of that was the database."""

from __future__ import annotations

import re

from app.ops.timing import DatabaseTime, header_value

TIMING = re.compile(r'^total;dur=(?P<total>[\d.]+), db;dur=(?P<db>[\d.]+);desc="(?P<n>\d+) statements?"$')


def timing_of(response) -> dict[str, float]:
    match = TIMING.match(response.headers["Server-Timing"])
    assert match, response.headers["Server-Timing"]
    return {key: float(value) for key, value in match.groupdict().items()}


def test_a_signed_in_page_reports_its_time_and_its_statements(client, auth, make_user):
    user = make_user()
    auth.login(user.email)
    timing = timing_of(client.get("/booking/mine"))
    assert timing["n"] >= 1  # at least the user with its session
    assert 0 < timing["db"] <= timing["total"]


def test_an_answer_without_the_database_reports_none_and_errors_are_timed_too(client):
    response = client.get("/no-such-page")  # nobody signed in: the page needs no statement
    assert response.status_code == 404
    timing = timing_of(response)
    assert (timing["n"], timing["db"]) == (0, 0.0)
    assert timing["total"] > 0


def test_the_header_can_be_turned_off(app_factory):
    app = app_factory(SERVER_TIMING=False)
    assert "Server-Timing" not in app.test_client().get("/healthz").headers


def test_one_statement_is_one():
    database = DatabaseTime()
    database.statements, database.seconds = 1, 0.0012
    assert header_value(0.0051, database) == 'total;dur=5.1, db;dur=1.2;desc="1 statement"'
