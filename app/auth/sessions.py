"""Signed-in sessions that end when they should.

Flask keeps its session in a signed cookie, and Flask-Login's remember-me cookie is a signed user
id: on their own, both would go on working after signing out, a new password or a deactivation.
So each sign-in is a `UserSession` row with a random id, and both cookies carry `User.get_id()`,
"<user id>.<session version>.<session id>". A request is signed in only while that row exists and
has not expired, and the account is active with that session version. The one query that loads
the user checks all of it (a join), so a signed-in request costs no more statements than before.

Signing out deletes this browser's row; `end_all` raises the version and deletes every row, which
ends every browser's session, remembered or not.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import current_app, request
from flask_login import current_user, login_user, logout_user
from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from app.auth.models import User, UserSession
from app.core.clock import utcnow
from app.extensions import db

# Flask-Login's own default for the remember-me cookie.
DEFAULT_REMEMBER_DURATION = timedelta(days=365)


def start(session: Session, user: User, *, lifetime: timedelta, now: datetime) -> UserSession:
    """A new live session for `user` (whose `get_id` then names it). The account's expired
    sessions go at the same time, so rows never pile up."""
    session.execute(delete(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at <= now))
    record = UserSession(id=secrets.token_urlsafe(32), user_id=user.id, created_at=now, expires_at=now + lifetime)
    session.add(record)
    user.live_session_id = record.id
    return record


# Built once: every signed-in request runs it, and building the statement (a dozen operator
# calls and coercions) cost about as much of the app server's time as running it.
_LIVE_USER = (
    select(User)
    .join(UserSession, UserSession.user_id == User.id)
    .where(
        User.id == bindparam("user_id"),
        User.session_version == bindparam("version"),
        User.active.is_(True),
        UserSession.id == bindparam("session_id"),
        UserSession.expires_at > bindparam("now"),
    )
)


def load(session: Session, login_id: str, now: datetime) -> User | None:
    """The user of a live session named by `login_id` (as `User.get_id` made it), or None."""
    user_id, _, rest = login_id.partition(".")
    version, _, session_id = rest.partition(".")
    if not (user_id.isdigit() and version.isdigit() and session_id):
        return None  # an id in the old form, or none at all
    user = session.scalar(
        _LIVE_USER, {"user_id": int(user_id), "version": int(version), "session_id": session_id, "now": now}
    )
    if user is not None:
        user.live_session_id = session_id
    return user


def end(session: Session, user: User) -> None:
    """End the session `user` was loaded for (this browser's)."""
    if user.live_session_id is not None:
        session.execute(delete(UserSession).where(UserSession.id == user.live_session_id))
        user.live_session_id = None


def end_all(session: Session, user: User) -> None:
    """End every session of the account, in every browser, remembered or not."""
    user.session_version += 1
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))


def _lifetime(remember: bool) -> timedelta:
    """As long as the cookie that carries the session may live: a remembered sign-in as long as
    the remember-me cookie, another as long as Flask accepts its session cookie."""
    if not remember:
        return current_app.permanent_session_lifetime
    duration = current_app.config.get("REMEMBER_COOKIE_DURATION") or DEFAULT_REMEMBER_DURATION
    return duration if isinstance(duration, timedelta) else timedelta(seconds=int(duration))


def sign_in(user: User, *, remember: bool = False) -> None:
    """Start a session for `user` in this browser (the caller commits)."""
    start(db.session, user, lifetime=_lifetime(remember), now=utcnow())
    login_user(user, remember=remember)


def sign_out() -> None:
    """End this browser's session: its cookies, and a copy of them, no longer sign anybody in."""
    if current_user.is_authenticated:
        end(db.session, current_user)
    logout_user()


def sign_in_again(user: User) -> None:
    """After the account's sessions were all ended (a new password), keep this browser signed in
    with a new session, remembered if it was."""
    sign_in(user, remember=current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies)
