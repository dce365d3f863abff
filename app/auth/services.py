"""Account rules: registration, sign-in, profile, passwords, roles and API tokens.

Plain functions over a SQLAlchemy session. They raise `FieldErrors`/`DomainError` and never
commit: the caller (a view, a command) commits once.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth import reset, sessions
from app.auth.iin import iin_problem
from app.auth.models import ApiToken, Role, User
from app.centres.models import Centre
from app.core.clock import utcnow
from app.core.errors import DomainError, FieldErrors
from app.core.i18n import LANGUAGES
from app.notify.services import queue_message

MIN_PASSWORD_LENGTH = 10
# The most common passwords that still pass the length and letters-and-digits rules.
COMMON_PASSWORDS = frozenset(
    {
        "password123",
        "password1234",
        "qwerty12345",
        "qwerty123456",
        "1234567890a",
        "a1234567890",
        "1q2w3e4r5t",
        "1q2w3e4r5t6y",
        "qwertyuiop1",
        "iloveyou123",
        "abc1234567",
        "abcd123456",
        "password12",
        "welcome123",
        "admin12345",
        "kazakhstan1",
        "qazwsx12345",
        "zaq12wsxcde",
    }
)


def normalize_email(email: str) -> str:
    return email.strip().lower()


def email_problem(email: str):
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return _l("Enter a valid e-mail address.")
    return None


def password_problem(password: str, email: str | None = None):
    """What makes `password` too weak, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _l("The password must be at least %(n)s characters long.", n=MIN_PASSWORD_LENGTH)
    if not re.search(r"[^\W\d_]", password) or not re.search(r"\d", password):
        return _l("The password must contain both letters and digits.")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS:
        return _l("This password is too common; choose another.")
    if email and normalize_email(email).split("@")[0] in lowered and len(email.split("@")[0]) >= 4:
        return _l("The password must not contain your e-mail address.")
    return None


def normalize_phone(phone: str | None) -> str | None:
    """+7XXXXXXXXXX for a Kazakhstan number written in any usual way; '' stays None."""
    if phone is None or not phone.strip():
        return None
    digits = re.sub(r"[\s()\-]", "", phone.strip())
    if digits.startswith("8") and len(digits) == 11:
        digits = "+7" + digits[1:]
    if not re.fullmatch(r"\+7\d{10}", digits):
        raise ValueError("bad phone")
    return digits


@dataclass
class Registration:
    email: str
    password: str
    full_name: str
    iin: str
    phone: str | None = None
    language: str | None = None

    def cleaned(self) -> Registration:
        """As the account keeps it: the e-mail normalised, the name's spaces collapsed, the IIN trimmed."""
        return replace(
            self, email=normalize_email(self.email), full_name=" ".join(self.full_name.split()), iin=self.iin.strip()
        )


def register_user(
    session: Session, data: Registration, *, role: Role = Role.USER, centre: Centre | None = None
) -> User:
    """Create an account at once, after checking every rule; all problems are reported at once,
    a taken e-mail or IIN by name. For trusted callers only (`flask users create`, an administrator
    creating staff, the demo data): people registering themselves go through `app.auth.signup`,
    which tells nobody whether an account exists."""
    if errors := registration_problems(session, data, role=role, centre=centre):
        raise FieldErrors(errors)
    data = data.cleaned()
    user = User(
        email=data.email,
        password_hash=hash_password(data.password),
        full_name=data.full_name,
        iin=data.iin,
        phone=normalize_phone(data.phone),
        language=data.language,
        role=role.value,
        centre=centre if role == Role.STAFF else None,
    )
    session.add(user)
    session.flush()
    return user


def registration_problems(
    session: Session,
    data: Registration,
    *,
    role: Role = Role.USER,
    centre: Centre | None = None,
    check_taken: bool = True,
) -> dict[str, list]:
    """Every rule `data` breaks, by field (nothing written). Without `check_taken`, only the rules
    of the fields themselves: what they say is true of any account, so it reveals none."""
    errors: dict[str, list] = {}
    data = data.cleaned()
    email, iin, full_name = data.email, data.iin, data.full_name
    if (problem := email_problem(email)) is not None:
        errors.setdefault("email", []).append(problem)
    if (problem := password_problem(data.password, email)) is not None:
        errors.setdefault("password", []).append(problem)
    if len(full_name) < 3 or len(full_name) > 200:
        errors.setdefault("full_name", []).append(_l("Enter your full name as in your identity document."))
    if (problem := iin_problem(iin)) is not None:
        errors.setdefault("iin", []).append(problem)
    try:
        normalize_phone(data.phone)
    except ValueError:
        errors.setdefault("phone", []).append(_l("Enter a Kazakhstan phone number, e.g. +7 701 234 56 78."))
    if data.language is not None and data.language not in LANGUAGES:
        errors.setdefault("language", []).append(_l("Choose Kazakh, Russian or English."))
    if role == Role.STAFF and centre is None:
        errors.setdefault("centre", []).append(_l("A staff account must belong to an exam centre."))
    if check_taken and not errors:
        errors.update(_taken(session, email, iin))
    return errors


def _taken(session: Session, email: str, iin: str) -> dict[str, list]:
    taken: dict[str, list] = {}
    for field, column, value, message in (
        ("email", User.email, email, _l("An account with this e-mail address already exists.")),
        ("iin", User.iin, iin, _l("An account with this IIN already exists.")),
    ):
        if session.scalar(select(func.count()).select_from(User).where(column == value)):
            taken[field] = [message]
    return taken


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


@cache
def _dummy_hash(method: str) -> str:
    """A hash to compare against when the e-mail is unknown, so both paths take the same time."""
    return generate_password_hash("not-a-real-password-0", method=method)


def burn_password_check(password: str) -> None:
    """Spend the time of one password check (unknown or throttled accounts answer no faster)."""
    check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Throttling is `throttle.sign_in`'s."""
    user = session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        burn_password_check(password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def update_profile(user: User, *, full_name: str, phone: str | None, language: str | None) -> None:
    errors: dict[str, list] = {}
    full_name = " ".join(full_name.split())
    if len(full_name) < 3 or len(full_name) > 200:
        errors["full_name"] = [_l("Enter your full name as in your identity document.")]
    try:
        normalized_phone = normalize_phone(phone)
    except ValueError:
        errors["phone"] = [_l("Enter a Kazakhstan phone number, e.g. +7 701 234 56 78.")]
    if language is not None and language not in LANGUAGES:
        errors["language"] = [_l("Choose Kazakh, Russian or English.")]
    if errors:
        raise FieldErrors(errors)
    user.full_name = full_name
    if normalized_phone != user.phone:  # a new number is confirmed anew (app.auth.phone)
        user.phone_confirmed_at = None
    user.phone = normalized_phone
    user.language = language


def change_password(session: Session, user: User, *, current_password: str, new_password: str) -> None:
    if not check_password_hash(user.password_hash, current_password):
        raise FieldErrors({"current_password": [_l("The current password is not correct.")]})
    if (problem := password_problem(new_password, user.email)) is not None:
        raise FieldErrors({"new_password": [problem]})
    user.password_hash = hash_password(new_password)
    end_every_session(session, user)


def set_language(user: User, language: str) -> None:
    if language not in LANGUAGES:
        raise DomainError(_l("Choose Kazakh, Russian or English."), code="unknown-language", status=400)
    user.language = language


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, ttl_seconds: int) -> tuple[str, ApiToken]:
    """A new bearer token for `user`; the plain token is returned once and never stored."""
    token = secrets.token_urlsafe(32)
    record = ApiToken(user=user, token_hash=_token_hash(token), expires_at=utcnow() + timedelta(seconds=ttl_seconds))
    session.add(record)
    session.flush()
    return token, record


# Built once: every API request runs it (as sessions._LIVE_USER for the pages).
_TOKEN_BY_HASH = select(ApiToken).where(ApiToken.token_hash == bindparam("token_hash"))


def user_for_token(session: Session, token: str, now: datetime | None = None) -> User | None:
    """The active user behind a live token, or None for an unknown, expired or revoked one."""
    now = now or utcnow()
    record = session.scalar(_TOKEN_BY_HASH, {"token_hash": _token_hash(token)})
    if record is None or record.revoked_at is not None or record.expires_at <= now or not record.user.active:
        return None
    return record.user


def revoke_token(session: Session, token: str) -> bool:
    record = session.scalar(_TOKEN_BY_HASH, {"token_hash": _token_hash(token)})
    if record is None or record.revoked_at is not None:
        return False
    record.revoked_at = utcnow()
    return True


def revoke_all_tokens(session: Session, user: User) -> None:
    session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).values(revoked_at=utcnow())
    )


def end_every_session(session: Session, user: User) -> None:
    """Every way into the account that does not ask for the password ends: its sessions in every
    browser (remembered or not), its API tokens and its unused password-reset links. For signing out
    everywhere, a new password and a deactivation."""
    sessions.end_all(session, user)
    revoke_all_tokens(session, user)
    reset.forget_links(session, user)


def request_password_reset(session: Session, email: str, *, make_link, now: datetime) -> None:
    """Queue a reset link for an active account; for an unknown e-mail nothing happens (and the
    page says the same either way, so it tells nobody which addresses have accounts)."""

    user = session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None or not user.active:
        return
    link = make_link(user)
    queue_message(
        session,
        kind="password-reset",
        user=user,
        payload={"url": link},
        key=f"password-reset:{user.id}:{hashlib.sha256(link.encode()).hexdigest()[:16]}",
        due_at=now,
    )


def reset_password(session: Session, user: User, new_password: str) -> None:
    if (problem := password_problem(new_password, user.email)) is not None:
        raise FieldErrors({"new_password": [problem]})
    user.password_hash = hash_password(new_password)
    end_every_session(session, user)  # the link too: it works once
