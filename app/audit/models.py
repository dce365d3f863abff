"""Who did what, when: staff and admin actions on capacity, blocks, check-ins, results and accounts."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import utcnow
from app.core.types import UTCDateTime
from app.extensions import db

if TYPE_CHECKING:  # the relationships name their classes; the log depends on no feature
    from app.auth.models import User
    from app.centres.models import Centre


class AuditEntry(db.Model):
    """One action. `details` never holds an IIN or a phone number: ids and codes only."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_centre_at", "centre_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"), index=True)
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centre.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(60))  # "slot:12", "booking:7", "template:3" …
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User] = relationship(lazy="joined")
    centre: Mapped[Centre | None] = relationship(lazy="joined")
