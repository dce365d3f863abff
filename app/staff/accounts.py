"""Staff accounts, which admins create and deactivate."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.services import record as audit
from app.auth import services as auth_services
from app.auth.models import Role, User
from app.centres.models import Centre
from app.core.acting import Acting


def staff_accounts(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.role == Role.STAFF).order_by(User.centre_id, User.email)))


def create_staff(acting: Acting, registration: auth_services.Registration, centre: Centre) -> User:
    user = auth_services.register_user(acting.session, registration, role=Role.STAFF, centre=centre)
    audit(acting, "staff-created", user)
    return user


def set_staff_active(acting: Acting, user: User, active: bool) -> None:
    """A deactivated account can neither sign in nor go on with a session or an API token."""
    user.active = active
    if not active:
        auth_services.end_every_session(acting.session, user)
    audit(
        acting,
        "staff-reactivated" if active else "staff-deactivated",
        user,
    )
