"""Helpers shared by several test modules (moved from test_notifications.py)."""

from __future__ import annotations

import http.client
import json
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path

from werkzeug.serving import make_server

from app.auth import services as auth_services
from app.auth.models import User
from app.extensions import db
from tests.conftest import PASSWORD


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def gunicorn(env: dict[str, str], log_path: Path | None = None, wsgi_app: str = "wsgi:app"):
    """A real gunicorn server with the production settings file, serving `wsgi_app`, on a free port; yields the port
    once /healthz answers, and stops it (also when the test fails). Its output goes to `log_path`
    (or a temporary file): a pipe nobody reads while the test runs would fill up and stall it."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py"]
    with open(log_path, "w+") if log_path else tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(  # noqa: S603  (our own command line)
            [*command, "--bind", f"127.0.0.1:{port}", wsgi_app],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            while request(port, "GET", "/healthz")[0] != 200:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise AssertionError(f"gunicorn did not answer:\n{log.read()}")
                time.sleep(0.2)
            yield port
        finally:
            process.terminate()
            process.wait(timeout=30)


def _cookie(headers, name: str) -> str:
    """The value of cookie `name` among every Set-Cookie header of an answer (a sign-in sets several)."""
    cookies = SimpleCookie()
    for header in headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    return cookies[name].value


def request(port: int, method: str, path: str, body: str | None = None, headers: dict | None = None):
    """(status, text, headers), or (0, "", {}) while nobody listens."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode(), response.headers
    except ConnectionError:
        return 0, "", {}
    finally:
        connection.close()


def sign_in(email: str, *, form_from: int, post_to: int) -> str | None:
    """Sign in like a browser: the login form from one server, posted to another (or the same);
    returns the signed-in session's Cookie header, or None when refused."""
    status, page, headers = request(form_from, "GET", "/account/login")
    session_cookie = f"session={_cookie(headers, 'session')}"
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = f"csrf_token={token}&email={email.replace('@', '%40')}&password={PASSWORD}"
    status, _, headers = request(
        post_to,
        "POST",
        "/account/login",
        form,
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": session_cookie},
    )
    if status != 302:
        return None
    return f"session={_cookie(headers, 'session')}"


@contextmanager
def served(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def tokens_for(app, users) -> list[str]:
    with app.app_context():
        tokens = [auth_services.issue_token(db.session, db.session.get(User, u.id), 3600)[0] for u in users]
        db.session.commit()
        return tokens


def fire(port: int, requests: list[tuple[str, dict]]) -> list[tuple[int, dict]]:
    """Send every (token, body) as POST /api/v1/bookings at the same moment, one thread each."""
    barrier = threading.Barrier(len(requests))
    results: list[tuple[int, dict] | None] = [None] * len(requests)

    def send(index: int, token: str, body: dict) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        barrier.wait()
        connection.request(
            "POST",
            "/api/v1/bookings",
            body=json.dumps(body),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        response = connection.getresponse()
        results[index] = (response.status, json.loads(response.read()))
        connection.close()

    threads = [threading.Thread(target=send, args=(i, *request)) for i, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
