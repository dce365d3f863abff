"""How Flask-Login finds the signed-in user."""

from __future__ import annotations

from app.auth.models import User
from app.extensions import db


def register_user_loader(login_manager) -> None:
    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        if not user_id.isdigit():
            return None
        return db.session.get(User, int(user_id))
