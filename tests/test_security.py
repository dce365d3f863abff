"""Security headers, cookie flags, progressive back-off after failed sign-ins."""

from datetime import UTC, datetime, timedelta

import pytest

from app.auth.services import lock_minutes
from app.core import clock
from tests.conftest import PASSWORD, csrf_token_from


@pytest.mark.parametrize(
    ("failures", "minutes"), [(0, 0), (4, 0), (5, 1), (6, 2), (7, 4), (10, 32), (11, 60), (40, 60)]
)
def test_lock_grows_with_failures(failures, minutes):
    assert lock_minutes(failures) == minutes


def test_failed_sign_ins_lock_the_account_for_a_growing_time(app, client, make_user):
    now = {"t": datetime(2026, 3, 1, 12, 0, tzinfo=UTC)}
    clock.set_clock(lambda: now["t"])
    user = make_user()
    token = csrf_token_from(client.get("/account/login").get_data(as_text=True))

    def attempt(password):
        return client.post("/account/login", data={"csrf_token": token, "email": user.email, "password": password})

    assert [attempt("wrong-pass-1").status_code for _ in range(5)] == [401] * 5
    locked = attempt(PASSWORD)  # even the right password waits
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.get_data(as_text=True)
    now["t"] += timedelta(minutes=1)
    assert attempt("wrong-pass-1").status_code == 401  # 6th failure: two minutes now
    now["t"] += timedelta(minutes=1)
    assert attempt(PASSWORD).status_code == 429
    now["t"] += timedelta(minutes=1)
    assert attempt(PASSWORD).status_code == 302  # success resets the count
    client.post("/account/logout", data={"csrf_token": token})
    assert attempt("wrong-pass-1").status_code == 401


def test_api_token_respects_the_lock(app, client, make_user):
    clock.set_clock(lambda: datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    user = make_user()
    for _ in range(5):
        client.post("/api/v1/auth/token", json={"email": user.email, "password": "wrong-pass-1"})
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert response.get_json()["code"] == "account-locked"


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response.headers  # HSTS only in production


def test_hsts_and_secure_cookies_in_production():
    from app import create_app
    from config import ProductionConfig

    app = create_app(
        ProductionConfig,
        {
            "SECRET_KEY": "p" * 40,
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
        },
    )
    client = app.test_client()
    response = client.get("/account/login", headers={"X-Forwarded-Proto": "https"}, base_url="https://kezek.kz")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
