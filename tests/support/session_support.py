"""Signing a test client in without the sign-in form: a live session row, and its id in the cookie."""

from __future__ import annotations

from datetime import timedelta

from app.auth import sessions
from app.auth.models import User
from app.core import clock
from app.extensions import db


def live_login_id(session, user: User) -> str:
    """What Flask-Login keeps in `session["_user_id"]` for a new live session of `user` (flushed,
    not committed)."""
    sessions.start(session, user, lifetime=timedelta(days=365), now=clock.utcnow())
    session.flush()
    return user.get_id()


def sign_in_client(app, client, user_id: int) -> str:
    """Sign `client` in as the user, as the sign-in form would; the login id is returned."""
    with app.app_context():
        login_id = live_login_id(db.session, db.session.get(User, user_id))
        db.session.commit()
    with client.session_transaction() as cookie_session:
        cookie_session["_user_id"] = login_id
        cookie_session["_fresh"] = True
    return login_id
