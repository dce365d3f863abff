"""Writing and reading the audit log. `record` runs in the caller's transaction, so an action and
its entry are committed (or rolled back) together."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.audit.models import AuditEntry
from app.auth.models import User


def record(
    session: Session,
    actor: User,
    action: str,
    target: str,
    now: datetime,
    *,
    centre_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Log `action` on `target` ("slot:12"); `details` hold ids, codes and numbers, never an IIN or phone."""
    entry = AuditEntry(
        at=now, actor_id=actor.id, centre_id=centre_id, action=action, target=target, details=details or {}
    )
    session.add(entry)
    return entry


def entries(*, centre_id: int | None = None, action: str | None = None) -> Select:
    """The newest first, optionally for one centre or one kind of action (for pagination)."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if centre_id is not None:
        query = query.where(AuditEntry.centre_id == centre_id)
    if action:
        query = query.where(AuditEntry.action == action)
    return query
