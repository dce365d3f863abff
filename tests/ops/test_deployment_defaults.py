"""Safe deployment defaults: no server but `flask run` and the tests signs sessions with the public
development key, /metrics answers only to allowed scrapers, and no Server header names a version."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest
from flask.cli import FlaskGroup, run_command

from app import create_app
from config import INSECURE_KEYS, DevelopmentConfig, ProductionConfig, TestingConfig
from tests.support.servers import free_port, gunicorn, request

ROOT = Path(__file__).resolve().parents[2]
DEVELOPMENT_KEY = "development-only-insecure-key-do-not-use-in-production"
REAL_KEY = "r" * 48
REFUSAL = "SECRET_KEY is not set"


def environment(tmp_path, **settings) -> dict[str, str]:
    """The shell of a fresh deployment: no KEZEK_ENV, no SECRET_KEY, unless given."""
    env = {key: value for key, value in os.environ.items() if key not in {"KEZEK_ENV", "SECRET_KEY"}}
    bin_dir = str(Path(sys.executable).parent)
    return {
        **env,
        "PATH": f"{bin_dir}:{env.get('PATH', '')}",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite'}",
        "KEZEK_SCHEDULER": "off",
        **settings,
    }


def check_gunicorn(env: dict[str, str]) -> subprocess.CompletedProcess:
    """gunicorn as deployed, loading the app and stopping there (`--check-config`)."""
    command = [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py", "--check-config", "wsgi:app"]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)  # noqa: S603


def test_the_development_key_is_public():
    assert DEVELOPMENT_KEY in INSECURE_KEYS
    assert DevelopmentConfig.SECRET_KEY in INSECURE_KEYS | {os.environ.get("SECRET_KEY")}


def test_gunicorn_refuses_to_start_without_a_real_key(tmp_path):
    refused = check_gunicorn(environment(tmp_path))
    assert refused.returncode != 0
    assert REFUSAL in refused.stderr
    started = check_gunicorn(environment(tmp_path, SECRET_KEY=REAL_KEY))
    assert started.returncode == 0, started.stderr


def test_the_app_refuses_the_development_key_outside_the_flask_command():
    with pytest.raises(RuntimeError, match=REFUSAL):
        create_app(DevelopmentConfig, {"SECRET_KEY": DEVELOPMENT_KEY})
    with pytest.raises(RuntimeError, match=REFUSAL):  # nor the tests' key outside the tests
        create_app(DevelopmentConfig, {"SECRET_KEY": "testing-only-key"})
    assert create_app(DevelopmentConfig, {"SECRET_KEY": REAL_KEY}).config["SECRET_KEY"] == REAL_KEY
    assert create_app(TestingConfig).testing  # the tests' own key


def test_the_flask_command_may_use_the_development_key():
    """As `flask run` loads it (the development server) — and `flask db upgrade` and the others."""
    with click.Context(FlaskGroup(), info_name="flask") as root, click.Context(run_command, root, "run"):
        app = create_app(DevelopmentConfig, {"SECRET_KEY": DEVELOPMENT_KEY})
    assert app.config["SECRET_KEY"] == DEVELOPMENT_KEY


def test_flask_run_serves_with_the_development_key(tmp_path):
    port = free_port()
    with (tmp_path / "flask-run.log").open("w+") as log:
        process = subprocess.Popen(  # noqa: S603  (our own command line)
            [sys.executable, "-m", "flask", "--app", "wsgi", "run", "--port", str(port), "--no-reload"],
            cwd=ROOT,
            env=environment(tmp_path),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while request(port, "GET", "/healthz")[0] != 200:
                log.seek(0)
                assert process.poll() is None, log.read()
                assert time.monotonic() < deadline, log.read()
                time.sleep(0.2)
        finally:
            process.terminate()
            process.wait(timeout=30)


def test_the_procfile_runs_production_unless_told_otherwise(tmp_path):
    """The Procfile's web line, as a platform runs it, without settings: production refuses the
    missing key (and, with one, would refuse SQLite and memory rate limits)."""
    web = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    command = web.removeprefix("web:").strip() + " --check-config"
    refused = subprocess.run(  # noqa: S603  (our own Procfile, as a platform runs it)
        ["bash", "-c", command],  # noqa: S607
        cwd=ROOT,
        env=environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode != 0
    assert "SECRET_KEY must be set to a random value" in refused.stderr


# --- /metrics -------------------------------------------------------------------------------------


def scrape(app, address: str = "127.0.0.1", **headers):
    return app.test_client().get("/metrics", environ_base={"REMOTE_ADDR": address}, headers=headers)


def test_metrics_answer_the_loopback_only_by_default(app):
    assert scrape(app).status_code == 200
    assert scrape(app, "::1").status_code == 200
    assert scrape(app, "203.0.113.9").status_code == 404
    assert scrape(app, "10.0.0.5").status_code == 404


def test_metrics_answer_allowed_networks_and_the_token(app_factory, app):
    allowed = app_factory(METRICS_ALLOW="10.0.0.0/8, 192.0.2.7", METRICS_TOKEN="s3cret-token-of-the-scraper")
    assert scrape(allowed, "10.20.30.40").status_code == 200
    assert scrape(allowed, "192.0.2.7").status_code == 200
    assert scrape(allowed, "127.0.0.1").status_code == 404  # the setting replaces the default
    token = {"Authorization": "Bearer s3cret-token-of-the-scraper"}
    assert scrape(allowed, "203.0.113.9", **token).status_code == 200
    assert scrape(allowed, "203.0.113.9", Authorization="Bearer wrong").status_code == 404
    assert scrape(allowed, "203.0.113.9", Authorization="Bearer ").status_code == 404
    # Without a token configured, no bearer value opens it.
    assert scrape(app, "203.0.113.9", Authorization="Bearer None").status_code == 404


@pytest.mark.parametrize(("hops", "peer"), [(0, "203.0.113.9"), (1, "10.0.0.2")])
def test_a_forged_forwarded_for_does_not_pass_the_allow_list(app_factory, app, hops, peer):
    """Without a proxy the header is not read; behind one (hops=1) the balancer appends the real
    client, and only that last address counts."""
    proxied = app_factory(PROXY_HOPS=hops)
    assert scrape(proxied, peer, **{"X-Forwarded-For": "127.0.0.1"}).status_code == (200 if hops else 404)
    assert scrape(proxied, peer, **{"X-Forwarded-For": "127.0.0.1, 203.0.113.9"}).status_code == 404


def test_a_bad_allow_list_stops_the_start(app_factory):
    with pytest.raises(RuntimeError, match="KEZEK_METRICS_ALLOW"):
        app_factory(METRICS_ALLOW="10.0.0.0/8, not-a-network")


# --- Server header --------------------------------------------------------------------------------


def test_gunicorn_names_no_version(tmp_path):
    with gunicorn(environment(tmp_path, SECRET_KEY=REAL_KEY, WEB_CONCURRENCY="1")) as port:
        status, _, headers = request(port, "GET", "/healthz")
    assert status == 200
    server = {name.lower(): value for name, value in headers.items()}.get("server", "")
    assert not any(character.isdigit() for character in server), server
    assert "/" not in server


def test_production_refuses_the_example_files_placeholder_key():
    example = (ROOT / "deploy/kezek.env.example").read_text()
    placeholder = next(line for line in example.splitlines() if line.startswith("SECRET_KEY=")).split("=", 1)[1]
    secure = {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://k@db/k", "RATELIMIT_STORAGE_URI": "redis://r:6379"}
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig, {**secure, "SECRET_KEY": placeholder})
