"""Sign-in throttling, one implementation for the web sign-in and `POST /api/v1/auth/token`.

Failed sign-ins are counted per account in the rate-limit storage (Redis in production). The
account is the e-mail as typed, normalised, whether an account uses it or not: an unknown address
is throttled, answered and timed exactly like a known one, so the lock tells nobody which
addresses have accounts. Past the account's limit, its sign-ins are refused without looking at
the password — except from a browser holding a valid *device cookie* for that account (OWASP's
"device cookies"): a signed cookie set after a successful sign-in there. So someone guessing
passwords locks out only the browsers the owner never used, and staff can still sign in on exam
day. A device cookie has a failure limit of its own, after which it is no longer trusted.

Per client address, every sign-in attempt is limited by the views' Flask-Limiter decorators
(`LOGIN_RATE_LIMIT`).
"""

from __future__ import annotations

import hashlib
import secrets

from flask import Response, current_app, request
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import parse_many

from app.auth import services
from app.auth.models import User
from app.core.errors import DomainError
from app.extensions import limiter

DEVICE_COOKIE = "kezek_device"
_DEVICE_SALT = "kezek-sign-in-device"


class SignInThrottled(DomainError):
    status = 429
    code = "account-locked"

    def __init__(self):
        super().__init__(_l("Too many failed sign-ins. Try again in a few minutes."))


def _account_key(email: str) -> str:
    return hashlib.sha256(services.normalize_email(email).encode()).hexdigest()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_DEVICE_SALT)


def _max_age() -> int:
    return current_app.config["LOGIN_DEVICE_COOKIE_DAYS"] * 24 * 3600


def _trusted_device(email: str) -> str | None:
    """The id of this browser's device cookie when it is valid for this account, else None."""
    cookie = request.cookies.get(DEVICE_COOKIE)
    if not cookie:
        return None
    try:
        payload = _serializer().loads(cookie, max_age=_max_age())
    except BadSignature:  # also an expired one
        return None
    if not isinstance(payload, dict) or payload.get("account") != _account_key(email):
        return None
    return str(payload.get("device") or "") or None


class _Counter:
    """Failures under one of the configured limit strings, in the limiter's storage."""

    def __init__(self, setting: str, kind: str, key: str):
        self.limits = parse_many(current_app.config[setting])
        self.identifiers = (current_app.config["RATELIMIT_KEY_PREFIX"], kind, key)
        self.enabled = current_app.config["RATELIMIT_ENABLED"] and limiter.limiter is not None

    def allows(self) -> bool:
        return not self.enabled or all(limiter.limiter.test(item, *self.identifiers) for item in self.limits)

    def count_failure(self) -> None:
        if self.enabled:
            for item in self.limits:
                limiter.limiter.hit(item, *self.identifiers)

    def clear(self) -> None:
        if self.enabled:
            for item in self.limits:
                limiter.limiter.clear(item, *self.identifiers)


def sign_in(session, email: str, password: str) -> User | None:
    """The user with these credentials, or None; SignInThrottled past the limits. Every path
    checks one password hash, so a locked or unknown account answers in the same time."""
    device = _trusted_device(email)
    device_counter = _Counter("LOGIN_DEVICE_FAILURE_LIMIT", "sign-in-device", device) if device else None
    if device_counter is not None and not device_counter.allows():
        device, device_counter = None, None  # it failed too often: an ordinary browser again
    account_counter = _Counter("LOGIN_ACCOUNT_FAILURE_LIMIT", "sign-in-account", _account_key(email))
    if device_counter is None and not account_counter.allows():
        services.burn_password_check(password)
        raise SignInThrottled()
    user = services.authenticate(session, email, password)
    if user is None:
        (device_counter or account_counter).count_failure()
    elif device_counter is None:
        account_counter.clear()  # whoever knows the password starts from a clean count
    return user


def forgive(email: str) -> None:
    """Forget the account's failures (its owner has just chosen a new password)."""
    _Counter("LOGIN_ACCOUNT_FAILURE_LIMIT", "sign-in-account", _account_key(email)).clear()


def remember_device(response: Response, user: User) -> Response:
    """Mark this browser as one the user signed in on (after a successful sign-in)."""
    value = _serializer().dumps({"account": _account_key(user.email), "device": secrets.token_urlsafe(16)})
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=_max_age(),
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response
