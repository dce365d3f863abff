"""Self-registration, confirmed by e-mail, that tells nobody whether an account exists.

Whatever the e-mail and the IIN, a registration whose fields are right gets one answer ("check
your e-mail") and costs one password hash; what happens next is said only to the mailbox given
(or the account's own mailbox), so only its owner learns it:

- both free: a `PendingRegistration` and a single-use, expiring link to the address given;
  opening the link (and pressing the button on its page: mail scanners follow links but do not
  submit forms) creates the account;
- the e-mail has an account: that account is told someone tried to register with its address,
  and how to sign in or reset the password; nothing is created;
- only the IIN has an account: the address given is told the registration could not be completed
  and how to sign in or reach support, without a word about the other account; nothing is created.

Field errors (a bad IIN checksum, a weak password, a malformed address) still answer at once:
they hold for any account, so they reveal none. Per client address the views are rate limited
(`REGISTER_RATE_LIMIT`); per mailbox, messages are capped (`REGISTER_MAILBOX_LIMIT`), so the
form cannot be used to flood somebody's inbox.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from limits import parse_many
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth.models import PendingRegistration, User
from app.auth.services import Registration, hash_password, normalize_phone, registration_problems
from app.core.errors import FieldErrors
from app.extensions import limiter
from app.notify import kinds
from app.notify.services import queue_message, queue_message_to_address

CONFIRM = "registration-confirm"
EMAIL_TAKEN = "registration-email-taken"
NOT_COMPLETED = "registration-not-completed"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def confirmation_link(token: str) -> str:
    """The absolute address of a link's page, on `BASE_URL`: never on the request's Host header,
    which whoever registers chooses (a link to their own site would hand them the token)."""
    return kinds.link("auth.confirm_registration", token=token)


def start(session: Session, data: Registration, *, language: str, now: datetime) -> None:
    """Raise `FieldErrors` for fields that break their own rules; otherwise queue the one message
    that fits (see above) and return nothing, so no caller can answer differently. `language` is
    the one the messages to an address without an account are written in."""
    if errors := registration_problems(session, data, check_taken=False):
        raise FieldErrors(errors)
    data = data.cleaned()
    password_hash = hash_password(data.password)  # in every branch, so every branch takes as long
    session.execute(delete(PendingRegistration).where(PendingRegistration.expires_at <= now))
    owner = session.scalar(select(User).where(User.email == data.email))
    iin_taken = session.scalar(select(func.count()).select_from(User).where(User.iin == data.iin))
    if not _mailbox_allows(data.email):
        return
    if owner is not None:
        queue_message(session, kind=EMAIL_TAKEN, user=owner, payload={}, due_at=now)
    elif iin_taken:
        queue_message_to_address(session, kind=NOT_COMPLETED, email=data.email, language=language, payload={})
    else:
        token = secrets.token_urlsafe(32)
        ttl = timedelta(seconds=current_app.config["REGISTRATION_TTL_SECONDS"])
        session.add(
            PendingRegistration(
                token_hash=_hash(token),
                email=data.email,
                password_hash=password_hash,
                full_name=data.full_name,
                iin=data.iin,
                phone=normalize_phone(data.phone),
                language=data.language,
                created_at=now,
                expires_at=now + ttl,
            )
        )
        queue_message_to_address(
            session, kind=CONFIRM, email=data.email, language=language, payload={"url": confirmation_link(token)}
        )


def _mailbox_allows(email: str) -> bool:
    """Count one registration message to `email`; False past `REGISTER_MAILBOX_LIMIT`."""
    if not current_app.config["RATELIMIT_ENABLED"] or limiter.limiter is None:
        return True
    key = (current_app.config["RATELIMIT_KEY_PREFIX"], "register-mailbox", _hash(email))
    # A list, not a generator: every window counts the message, even past a full one.
    return all([limiter.limiter.hit(item, *key) for item in parse_many(current_app.config["REGISTER_MAILBOX_LIMIT"])])


def pending(session: Session, token: str, now: datetime) -> PendingRegistration | None:
    """The live registration a link's token was made for, or None (unknown, forged or expired)."""
    return session.scalar(
        select(PendingRegistration).where(
            PendingRegistration.token_hash == _hash(token), PendingRegistration.expires_at > now
        )
    )


def confirm(session: Session, token: str, now: datetime) -> User | None:
    """Open the account of a live link, once: the link and every other pending registration of the
    address end. None for a link that is not live, or whose e-mail or IIN got an account meanwhile
    (another link confirmed first)."""
    # Locked: of two presses at once, the second waits and then finds the row gone.
    found = session.scalar(
        select(PendingRegistration)
        .where(PendingRegistration.token_hash == _hash(token), PendingRegistration.expires_at > now)
        .with_for_update()
    )
    if found is None:
        return None
    session.execute(delete(PendingRegistration).where(PendingRegistration.email == found.email))
    user = User(
        email=found.email,
        password_hash=found.password_hash,
        full_name=found.full_name,
        iin=found.iin,
        phone=found.phone,
        language=found.language,
    )
    try:
        with session.begin_nested():  # the unique e-mail and IIN decide a race between two links
            session.add(user)
            session.flush()
    except IntegrityError:
        return None
    return user
