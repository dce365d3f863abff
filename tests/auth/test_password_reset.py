"""Forgotten passwords: an opaque, expiring, single-use link sent through the outbox."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from app.core import clock
from app.extensions import db
from app.notify.models import OutboxMessage
from tests.conftest import submit_form


def reset_link(app) -> str:
    with app.app_context():
        payload = db.session.scalar(
            sa.select(OutboxMessage.payload)
            .where(OutboxMessage.kind == "password-reset")
            .order_by(OutboxMessage.id.desc())
        )
    return re.sub(r"^https?://[^/]+", "", payload["url"])


def test_reset_flow(app, client, auth, make_user):
    user = make_user()
    response = submit_form(client, "/account/reset", {"email": user.email.upper()})
    assert response.status_code == 302
    assert "we have sent it a link" in client.get("/account/login").get_data(as_text=True)
    link = reset_link(app)
    assert client.get(link).status_code == 200
    weak = submit_form(client, link, {"new_password": "short", "new_password_confirm": "short"})
    assert weak.status_code == 422
    done = submit_form(client, link, {"new_password": "brand-new-pass-7", "new_password_confirm": "brand-new-pass-7"})
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/account/login")
    assert auth.login(user.email, "brand-new-pass-7").status_code == 302
    auth.logout()
    # The link worked once: the password it was made for has changed.
    again = client.get(link)
    assert again.status_code == 302
    assert again.headers["Location"].endswith("/account/reset")


def test_unknown_address_looks_the_same_and_queues_nothing(app, client):
    response = submit_form(client, "/account/reset", {"email": "nobody@example.kz"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_link_expires_after_an_hour(app, client, make_user):
    start = clock.utcnow()
    clock.set_clock(lambda: start)
    user = make_user()
    submit_form(client, "/account/reset", {"email": user.email})
    link = reset_link(app)
    clock.set_clock(lambda: start + timedelta(minutes=59))
    assert client.get(link).status_code == 200
    clock.set_clock(lambda: start + timedelta(hours=1, seconds=2))
    assert client.get(link).status_code == 302


def test_tampered_link_is_refused(client):
    assert client.get("/account/reset/not-a-real-token").headers["Location"].endswith("/account/reset")
