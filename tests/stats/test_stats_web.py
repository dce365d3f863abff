"""The public pages and the API: no sign-in, three languages, Babel formats, problem+json for bad
input, a CSV that parses, and pages that read the summary rows only."""

from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.stats.publication import COLUMNS
from app.stats.rebuild import rebuild
from tests.support.pages import soup
from tests.support.problems import assert_problem
from tests.support.stats_support import HISTORY_NOW, build_history

PERIOD = {"from": "2026-08-01", "to": "2026-10-31"}


@pytest.fixture
def history(app):
    build_history(app)
    with app.app_context():
        rebuild(db.session, HISTORY_NOW)
        db.session.commit()
    from app.core import clock

    clock.set_clock(lambda: HISTORY_NOW)


def test_the_api_publishes_cells_with_small_groups_null(client, history):
    response = client.get("/api/v1/stats/centres", query_string={"city": "almaty", **PERIOD})
    assert response.status_code == 200
    rows = response.get_json()
    assert {row["month"] for row in rows} == {"2026-08", "2026-09", "2026-10"}
    assert {row["centre"] for row in rows} == {"ALM", "ALX"}
    big = [row for row in rows if row["category"] == "B" and row["exam"] == "theory"]
    assert all(row["exams_held"] >= 10 and 0 <= row["pass_rate_all"] <= 1 for row in big)
    small = [row for row in rows if row["category"] == "BE"]  # 1–5 people a month in the history
    assert small
    assert {(row["exams_held"], row["pass_rate_all"]) for row in small} == {(None, None)}
    assert all(set(COLUMNS) <= set(row) for row in rows)
    assert client.get("/api/v1/stats/centres", query_string={"city": "Astana"}).get_json() == []


@pytest.mark.parametrize(
    "query",
    [
        {"from": "2026-02-30"},
        {"to": "yesterday"},
        {"from": "2026-10-01", "to": "2026-09-01"},
        {"from": "2024-01-01", "to": "2026-01-01"},
        {"from": "1900-01-01"},
    ],
)
def test_the_api_answers_bad_dates_with_problem_json(client, query):
    assert_problem(client.get("/api/v1/stats/centres", query_string=query), 422, "validation-error")
    assert_problem(client.get("/api/v1/stats/centres.csv", query_string=query), 422, "validation-error")


def test_the_csv_parses_and_matches_the_json(client, history):
    response = client.get("/api/v1/stats/centres.csv", query_string={"city": "Almaty", **PERIOD})
    assert (response.status_code, response.mimetype) == (200, "text/csv")
    table = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    rows = client.get("/api/v1/stats/centres", query_string={"city": "Almaty", **PERIOD}).get_json()
    assert len(table) == len(rows) > 0
    assert tuple(table[0]) == COLUMNS
    for line, row in zip(table, rows, strict=True):
        assert line["exams_held"] == ("" if row["exams_held"] is None else str(row["exams_held"]))


def test_the_api_is_public_and_rate_limited(app_factory, history):
    limited = app_factory(RATELIMIT_ENABLED=True, STATS_RATE_LIMIT="2 per minute").test_client()
    answers = [limited.get("/api/v1/stats/centres").status_code for _ in range(3)]
    assert answers == [200, 200, 429]


@pytest.mark.parametrize(
    ("language", "heading", "percent"),
    [
        ("kk", "Емтихан орталықтарының статистикасы", r"\d+,\d\s?%"),
        ("ru", "Статистика экзаменационных центров", r"\d+,\d\s?%"),
        ("en", "Exam centre statistics", r"\d+\.\d%"),
    ],
)
def test_pages_render_in_three_languages(client, history, language, heading, percent):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    page = soup(client.get("/stats/", query_string={"city": "Almaty", **PERIOD}))
    assert page.h1.get_text(strip=True) == heading
    text = page.main.get_text(" ", strip=True).replace("\xa0", " ")
    assert re.search(percent, text)
    assert len(page.select("figure svg")) == len(page.select("figure table")) == 2
    assert [a["href"] for a in page.select("tbody th a")][:1] == [
        "/stats/centres/ALM?exam=theory&category=&from=2026-08&to=2026-10"
    ]
    centre = client.get("/stats/centres/ALM", query_string={"category": "BE", **PERIOD})
    assert centre.status_code == 200
    too_few = {"kk": "көрсетуге тым аз", "ru": "слишком мало для показа", "en": "too few to show"}[language]
    assert too_few in centre.get_data(as_text=True)


def test_pages_need_no_sign_in_and_refuse_unknown_centres(client, history):
    assert client.get("/stats/centres/NOPE").status_code == 404
    assert client.get("/stats/", query_string={"from": "1800-01"}).status_code == 400
    assert client.get("/stats/", query_string={"from": "not-a-month"}).status_code == 200


def test_pages_read_the_summary_rows_only(app, client, history):
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            for url in ("/stats/?city=Almaty", "/stats/centres/ALM"):
                statements.clear()
                assert client.get(url).status_code == 200
                assert len(statements) <= 6, statements
                assert not [s for s in statements if re.search(r"\b(booking|slot)\b", s)], statements
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)


def test_the_centre_page_lists_the_months_with_exams_and_a_total(client, history):
    page = soup(client.get("/stats/centres/ALM", query_string={"from": "2026-01", "to": "2026-12"}))
    months = [th.get_text(strip=True) for th in page.select("#months-title + div tbody th")]
    assert months == ["October 2026", "September 2026", "August 2026"]  # the history ends in October
    assert page.select_one("#months-title + div tfoot th").get_text(strip=True) == "Whole period"
    empty = soup(client.get("/stats/centres/ALM", query_string={"from": "2025-01", "to": "2025-06"}))
    assert "No exams were recorded" in empty.main.get_text()
