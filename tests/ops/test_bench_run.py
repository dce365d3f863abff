"""`make bench` at a tiny scale, so the machinery (database, data set, gunicorn, scheduler, load
process, in-process jobs, table and files) cannot rot; and the benchmark's own app (bench.app): its
reference views and its configuration, neither of which the production app has."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from app import create_app
from app.auth.models import User
from app.auth.services import issue_token
from app.extensions import db
from bench import views
from bench.app import BenchConfig, create_bench_app
from config import ProductionConfig, TestingConfig
from tests.conftest import POSTGRES_URL, submit_form

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "SECRET_KEY": "k" * 48,
    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://kezek@db.internal/kezek",
}


def test_the_floor_is_served_by_the_benchmarks_app_only():
    response = create_bench_app(TestingConfig).test_client().get("/bench/ping")
    assert response.get_json() == {"status": "ok"}
    # The production app has no such route at all.
    assert create_app(TestingConfig).test_client().get("/bench/ping").status_code == 404
    assert not any(rule.rule.startswith("/bench") for rule in create_app(TestingConfig).url_map.iter_rules())


def test_the_signed_in_ceiling_answers_who_asks_by_session_or_token(app, app_factory, make_user):
    person = make_user()
    benchmark = app_factory()
    benchmark.register_blueprint(views.bp)  # as create_bench_app does, on the test's database
    browser = benchmark.test_client()
    assert browser.get("/bench/whoami").status_code == 401
    assert browser.get("/bench/whoami", headers={"Authorization": "Bearer not-a-token"}).status_code == 401

    signed_in = submit_form(browser, "/account/login", {"email": person.email, "password": person.password})
    assert signed_in.status_code == 302
    assert browser.get("/bench/whoami").get_json() == {"id": person.id}
    with benchmark.app_context():
        token, _ = issue_token(db.session, db.session.get(User, person.id), ttl_seconds=60)
        db.session.commit()
    by_token = benchmark.test_client().get("/bench/whoami", headers={"Authorization": f"Bearer {token}"})
    assert by_token.get_json() == {"id": person.id}
    assert app.test_client().get("/bench/whoami").status_code == 404


def test_production_serves_plain_http_only_for_the_benchmark():
    plain_http = {"SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False}
    with pytest.raises(RuntimeError, match="COOKIE_SECURE"):
        create_app(ProductionConfig, PRODUCTION | plain_http)
    app = create_bench_app(BenchConfig, PRODUCTION)
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["RATELIMIT_ENABLED"] is False
    assert app.config["ENV_NAME"] == "production"


@pytest.mark.parametrize(
    ("override", "message"),
    [({"SECRET_KEY": "short"}, "SECRET_KEY"), ({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, "PostgreSQL")],
)
def test_the_benchmark_keeps_the_other_production_checks(override, message):
    with pytest.raises(RuntimeError, match=message):
        create_bench_app(BenchConfig, PRODUCTION | override)


@pytest.mark.slow
def test_bench_runs_end_to_end_at_a_tiny_scale(tmp_path):
    assert POSTGRES_URL, "the benchmark runs on PostgreSQL: set TEST_DATABASE_URL"
    database = re.sub(r"/([^/]*)$", r"/\1_bench_smoke", POSTGRES_URL)
    env = os.environ | {
        "BENCH_SCALE": "0.001",
        "BENCH_SECONDS": "0.5",
        "BENCH_REQUESTS": "200",
        "BENCH_DATABASE_URL": database,
        "BENCH_OUTPUT": str(tmp_path),
    }
    run = subprocess.run(
        [sys.executable, "-m", "bench.run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]
    assert "| scenario | value | unit | goal | ok |" in run.stdout

    results = {result["name"]: result for result in json.loads((tmp_path / "results.json").read_text())}
    for result in results.values():
        assert set(result) == {"name", "value", "unit", "goal", "ok"}
        assert result["value"] is not None, result["name"]
    # The figures that do not depend on the machine's speed hold at any scale.
    assert results["booking rush: places sold (20 clients)"]["ok"] is True
    assert results["booking rush: errors other than 409"]["value"] == 0
    # Every rusher's request in the open round is filed (a day part and two slots each).
    assert results["filing round requests: filed"]["value"] == 20
    assert results["filing round requests: filed"]["ok"] is True
    assert results["filing round requests at the rush's rate: p95 ÷ floor p95"]["value"] > 0
    assert results["release holds: SQL statements"]["ok"] is True
    pages = ("exam page", "calendar", "my bookings", "roster", "dashboard", "statistics, city", "statistics, centre")
    for page in pages:
        assert results[f"SQL statements: {page} at 10× data"]["ok"] is True, page
    assert results["memory of one gunicorn worker after the run"]["value"] > 0
    assert results["public statistics page: p95"]["value"] > 0
    report = (tmp_path / "report.md").read_text()
    for name in (  # the issue's names for its goals
        "ceiling: /bench/whoami throughput ÷ floor (session)",
        "ceiling: /bench/whoami throughput ÷ floor (token)",
        "exam question page throughput ÷ ceiling (session)",
        "answer submit (API) throughput ÷ ceiling (token)",
        "month calendar p95 ÷ ceiling p95",
    ):
        assert f"| {name} |" in report, name
