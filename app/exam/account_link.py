"""This browser's anonymous trial exams join the account that signs in on it.

An anonymous visitor's attempts belong to a random key kept in their session (`ANONYMOUS_KEY`).
Every sign-in — the sign-in form, a new registration, any later step that signs a person in —
goes through Flask-Login's `user_logged_in` signal, so listening to it carries the attempts over
wherever the sign-in happens, in the same transaction the sign-in view commits (the auth package
sits below exam and cannot call it)."""

from __future__ import annotations

from flask import session
from flask_login import user_logged_in

from app.exam import attempt_access
from app.extensions import db

ANONYMOUS_KEY = "exam_owner"


def adopt_this_browsers_attempts(sender, user, **extra) -> None:
    key = session.pop(ANONYMOUS_KEY, None)
    if key:
        attempt_access.adopt_anonymous(db.session, [key], user.id)


def connect() -> None:
    """Listen for sign-ins (connecting twice is the same as once)."""
    user_logged_in.connect(adopt_this_browsers_attempts)
