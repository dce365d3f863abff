"""Behind a load balancer (KEZEK_PROXY_HOPS=1) rate limits count per client, taken from the
balancer's X-Forwarded-For; without it, a client cannot dodge a limit by sending that header."""

from __future__ import annotations

import pytest

from app.extensions import limiter


@pytest.mark.parametrize(
    ("hops", "other_client_status"),
    [
        (1, 401),  # another person behind the same balancer still has their own budget
        (0, 429),  # the header is not trusted: the forged address changes nothing
    ],
)
def test_rate_limits_key_on_the_forwarded_client(app_factory, make_user, hops, other_client_status):
    app = app_factory(PROXY_HOPS=hops, LOGIN_RATE_LIMIT="2 per minute")
    with app.app_context():
        limiter.reset()
    client = app.test_client()
    user = make_user()
    wrong = {"email": user.email, "password": "not-the-password-1"}

    def attempt(address: str) -> int:
        response = client.post("/api/v1/auth/token", json=wrong, headers={"X-Forwarded-For": address})
        assert response.headers["X-Request-ID"]  # refusals too can be traced
        return response.status_code

    assert [attempt("203.0.113.7") for _ in range(3)] == [401, 401, 429]
    assert attempt("198.51.100.20") == other_client_status
