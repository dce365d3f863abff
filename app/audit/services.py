"""Writing and reading the audit log. `record` runs in the caller's transaction, so an action and
its entry are committed (or rolled back) together."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from app.audit.models import AuditEntry
from app.core.acting import Acting

# How the log names what was acted on, by table ("slot:12"); other tables go by their own name.
_TARGET_NAMES = {"slot_template": "template", "centre_closure": "closure", "user_account": "user"}


def target_of(subject: Any) -> str:
    """ "slot:12", "booking:7", "centre:ALM" (centres by their code, which tickets and exports carry)."""
    table = subject.__tablename__
    key = subject.code if table == "centre" else subject.id
    return f"{_TARGET_NAMES.get(table, table)}:{key}"


def centre_of(subject: Any) -> int | None:
    """The centre an entry is filed under: the centre itself, or the one the subject belongs to."""
    if subject.__tablename__ == "centre":
        return subject.id
    if (centre_id := getattr(subject, "centre_id", None)) is not None:
        return centre_id
    centre = getattr(subject, "centre", None)
    return centre.id if centre is not None else None


def record(
    acting: Acting, action: str, subject: Any, *, part: str | None = None, details: dict[str, Any] | None = None
) -> AuditEntry:
    """Log `acting.actor`'s `action` on `subject` (a model object; `part` narrows it, e.g. a day of
    a centre: "centre:ALM:2026-12-01"). `details` hold ids, codes and numbers, never an IIN or phone."""
    target = target_of(subject) if part is None else f"{target_of(subject)}:{part}"
    entry = AuditEntry(
        at=acting.now,
        actor_id=acting.actor.id,
        centre_id=centre_of(subject),
        action=action,
        target=target,
        details=details or {},
    )
    acting.session.add(entry)
    return entry


def entries(*, centre_id: int | None = None, action: str | None = None) -> Select:
    """The newest first, optionally for one centre or one kind of action (for pagination)."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if centre_id is not None:
        query = query.where(AuditEntry.centre_id == centre_id)
    if action:
        query = query.where(AuditEntry.action == action)
    return query
