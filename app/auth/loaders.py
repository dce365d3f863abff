"""How Flask-Login finds the signed-in user."""

from __future__ import annotations

from app.auth import sessions
from app.auth.models import User
from app.core.clock import utcnow
from app.extensions import db


def register_user_loader(login_manager) -> None:
    # Both the session cookie and the remember-me cookie carry the id `User.get_id` made.
    @login_manager.user_loader
    def load_user(login_id: str) -> User | None:
        return sessions.load(db.session, login_id, utcnow())
