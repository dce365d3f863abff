"""Security headers, cookie flags, the sign-in lock (the rest in test_abuse_limits.py)."""

from datetime import UTC, datetime

from app.core import clock
from tests.conftest import PASSWORD


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
