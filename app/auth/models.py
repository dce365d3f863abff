"""Users and their API tokens."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.centres.models import Centre
from app.core.clock import utcnow
from app.core.types import UTCDateTime
from app.extensions import db


class Role(enum.StrEnum):
    USER = "user"  # learner and applicant in one account
    STAFF = "staff"  # bound to one exam centre
    ADMIN = "admin"


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("role IN ('user', 'staff', 'admin')", name="role_known"),
        CheckConstraint("role <> 'staff' OR centre_id IS NOT NULL", name="staff_has_centre"),
        CheckConstraint("language IS NULL OR language IN ('kk', 'ru', 'en')", name="language_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(200))
    iin: Mapped[str] = mapped_column(String(12), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20))  # +7XXXXXXXXXX (auth.services.normalize_phone)
    # When the person proved by a one-time SMS code that `phone` is theirs (app.auth.phone);
    # cleared whenever the number changes.
    phone_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    language: Mapped[str | None] = mapped_column(String(2))
    role: Mapped[str] = mapped_column(String(10), default=Role.USER.value)
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centre.id", ondelete="RESTRICT"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Unused: sign-ins are throttled in the rate-limit storage (auth.throttle); kept until a
    # migration drops them.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Part of every sign-in's id (see get_id): raising it ends every session and remember-me cookie
    # of the account at once (sign-out everywhere, new password, deactivation).
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    centre: Mapped[Centre | None] = relationship(lazy="joined")

    # The id of the signed-in session this object was loaded for (app.auth.sessions), not a column.
    live_session_id = None

    def get_id(self) -> str:
        """Flask-Login's alternative id, kept in the session and in the remember-me cookie: the
        account, its session version and the live session, so that either cookie stops working
        once the session ends or the version changes."""
        if self.live_session_id is None:
            raise RuntimeError("sign in through app.auth.sessions.sign_in, which starts a session")
        return f"{self.id}.{self.session_version}.{self.live_session_id}"

    @property
    def is_active(self) -> bool:  # Flask-Login: a deactivated account cannot sign in
        return self.active

    @property
    def is_staff(self) -> bool:
        return self.role == Role.STAFF

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class ApiToken(db.Model):
    """A bearer token for the API. Only its SHA-256 is stored; it expires and can be revoked."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(lazy="joined")


class UserSession(db.Model):
    """A signed-in browser. Signing out deletes its row, and with it that session's cookies."""

    __tablename__ = "user_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # random, carried in the signed cookies
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PasswordReset(db.Model):
    """A password-reset link: only the SHA-256 of its random token is kept; it is used once."""

    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PhoneCode(db.Model):
    """The one-time code last sent to confirm a phone number: one per account (a new request
    replaces it). Only its HMAC is kept; it expires and allows a few attempts."""

    __tablename__ = "phone_code"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    phone: Mapped[str] = mapped_column(String(20))  # the number being confirmed
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
