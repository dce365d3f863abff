"""Password reset links: an opaque random token (nothing inside it names the account), of which
only the SHA-256 is stored; it expires, and it is used once (a new password, or any other end of
the account's sessions, deletes every link of the account)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.auth.models import PasswordReset, User


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def make_token(session: Session, user: User, *, ttl_seconds: int, now: datetime) -> str:
    """A new link's token; only its hash is kept, the plain token goes into the e-mail."""
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordReset(
            user_id=user.id, token_hash=_hash(token), created_at=now, expires_at=now + timedelta(seconds=ttl_seconds)
        )
    )
    return token


def user_for_token(session: Session, token: str, now: datetime) -> User | None:
    """The active account a live token was made for, or None."""
    return session.scalar(
        select(User)
        .join(PasswordReset, PasswordReset.user_id == User.id)
        .where(PasswordReset.token_hash == _hash(token), PasswordReset.expires_at > now, User.active.is_(True))
    )


def forget_links(session: Session, user: User) -> None:
    session.execute(delete(PasswordReset).where(PasswordReset.user_id == user.id))
