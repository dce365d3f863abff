"""`make bench` at a tiny scale, so the machinery (database, data set, gunicorn, scheduler, load
process, in-process jobs, table and files) cannot rot; and the floor view and its escape hatch."""

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
from config import ProductionConfig, TestingConfig
from tests.conftest import POSTGRES_URL, submit_form

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "SECRET_KEY": "k" * 48,
    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://kezek@db.internal/kezek",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_SECURE": False,
}


@pytest.mark.parametrize(("benchmark", "status"), [(True, 200), (False, 404)])
def test_the_floor_is_served_only_when_benchmarking(benchmark, status):
    app = create_app(TestingConfig, {"BENCHMARK": benchmark})
    response = app.test_client().get("/bench/ping")
    assert response.status_code == status
    if benchmark:
        assert response.get_json() == {"status": "ok"}


def test_the_signed_in_ceiling_answers_who_asks_by_session_or_token(app, app_factory, make_user):
    person = make_user()
    benchmark = app_factory(BENCHMARK=True)
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
    with pytest.raises(RuntimeError, match="COOKIE_SECURE"):
        create_app(ProductionConfig, PRODUCTION)
    app = create_app(ProductionConfig, PRODUCTION | {"BENCHMARK": True})
    assert app.config["SESSION_COOKIE_SECURE"] is False


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
    assert results["release holds: SQL statements"]["ok"] is True
    for page in ("exam page", "calendar", "my bookings", "roster", "dashboard"):
        assert results[f"SQL statements: {page} at 10× data"]["ok"] is True, page
    assert results["memory of one gunicorn worker after the run"]["value"] > 0
    assert "| month calendar: p95 ÷ floor p95 |" in (tmp_path / "report.md").read_text()
