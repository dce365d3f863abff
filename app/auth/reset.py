"""Password reset: a signed, expiring link that stops working once the password has changed."""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from app.auth.models import User
from app.core.clock import utcnow

SALT = "kezek-password-reset"


class _ServerClockSigner(TimestampSigner):
    """Timestamps from the server's clock (app.core.clock), like every other time here."""

    def get_timestamp(self) -> int:
        return int(utcnow().timestamp())


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT, signer=_ServerClockSigner)


def _fingerprint(user: User) -> str:
    # Part of the current hash: changing the password invalidates every link made before.
    return user.password_hash[-12:]


def make_token(user: User, secret_key: str) -> str:
    return _serializer(secret_key).dumps({"user": user.id, "pw": _fingerprint(user)})


def user_for_token(session: Session, token: str, secret_key: str, max_age: int) -> User | None:
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    user = session.get(User, data.get("user")) if isinstance(data, dict) else None
    if user is None or not user.active or data.get("pw") != _fingerprint(user):
        return None
    return user
