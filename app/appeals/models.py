"""Appeals against administrative decisions (an exam result, a refused or cancelled booking), the
complaints against their decisions, the case history and receipt numbering.

The statutory dates (`refer_due`, `decision_due`, `complaint_due` …) are stored when the step that
starts them happens: the date the applicant was told stays the date, even if the holiday calendar
is corrected later.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.booking.models import Booking
from app.centres.models import Centre
from app.core.clock import utcnow
from app.core.types import UTCDateTime
from app.extensions import db


class Subject(enum.StrEnum):
    EXAM_RESULT = "exam-result"
    BOOKING = "booking"


class AppealStatus(enum.StrEnum):
    RECEIVED = "received"  # filed and given a receipt; waiting for a centre to register or refer it
    REGISTERED = "registered"  # registered by the competent centre, being considered
    DECIDED = "decided"
    WITHDRAWN = "withdrawn"


class Outcome(enum.StrEnum):
    UPHELD = "upheld"
    PARTLY_UPHELD = "partly-upheld"
    REJECTED = "rejected"


OPEN_STATUSES = (AppealStatus.RECEIVED, AppealStatus.REGISTERED)
_OUTCOMES_SQL = ", ".join(f"'{outcome.value}'" for outcome in Outcome)


class Appeal(db.Model):
    __tablename__ = "appeal"
    __table_args__ = (
        CheckConstraint("subject IN ('exam-result', 'booking')", name="subject_known"),
        CheckConstraint("status IN ('received', 'registered', 'decided', 'withdrawn')", name="status_known"),
        CheckConstraint(f"outcome IS NULL OR outcome IN ({_OUTCOMES_SQL})", name="outcome_known"),
        CheckConstraint("subject <> 'exam-result' OR booking_id IS NOT NULL", name="result_has_booking"),
        CheckConstraint("status <> 'decided' OR (outcome IS NOT NULL AND decided_at IS NOT NULL)", name="decided"),
        Index("ix_appeal_centre_status", "centre_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_number: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"), index=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id", ondelete="RESTRICT"), index=True)
    subject: Mapped[str] = mapped_column(String(20))
    # The body the applicant addressed, and the centre that has the case now (the competent one
    # after a referral).
    addressed_centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="RESTRICT"))
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="RESTRICT"))
    # The appeal as filed: the applicant's name and IIN from the profile at that moment.
    applicant_name: Mapped[str] = mapped_column(String(200))
    applicant_iin: Mapped[str] = mapped_column(String(12))
    postal_address: Mapped[str] = mapped_column(String(300))
    essence: Mapped[str] = mapped_column(Text)
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime())  # the confirmation in place of a signature
    status: Mapped[str] = mapped_column(String(12), default=AppealStatus.RECEIVED.value)

    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    received_on: Mapped[date] = mapped_column(Date)  # the receiving centre's day
    refer_due: Mapped[date] = mapped_column(Date)
    decision_due: Mapped[date] = mapped_column(Date)

    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    registrar_name: Mapped[str | None] = mapped_column(String(200))
    registrar_position: Mapped[str | None] = mapped_column(String(200))

    referred_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    referral_note: Mapped[str | None] = mapped_column(Text)

    extended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    extension_reason: Mapped[str | None] = mapped_column(Text)
    extension_notice_due: Mapped[date | None] = mapped_column(Date)

    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    outcome: Mapped[str | None] = mapped_column(String(20))
    decision_reasons: Mapped[str | None] = mapped_column(Text)
    complaint_due: Mapped[date | None] = mapped_column(Date)  # last day to complain on time

    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    booking: Mapped[Booking | None] = relationship()
    addressed_centre: Mapped[Centre] = relationship(foreign_keys=[addressed_centre_id], lazy="joined")
    centre: Mapped[Centre] = relationship(foreign_keys=[centre_id], lazy="joined")
    registered_by: Mapped[User | None] = relationship(foreign_keys=[registered_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    complaint: Mapped[Complaint | None] = relationship(back_populates="appeal", lazy="joined")
    events: Mapped[list[AppealEvent]] = relationship(
        back_populates="appeal", order_by="(AppealEvent.at, AppealEvent.id)", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def __repr__(self) -> str:
        return f"<Appeal {self.receipt_number} {self.status}>"


class Complaint(db.Model):
    """A complaint against an appeal's decision (one per appeal)."""

    __tablename__ = "complaint"
    __table_args__ = (
        CheckConstraint(f"outcome IS NULL OR outcome IN ({_OUTCOMES_SQL})", name="outcome_known"),
        CheckConstraint("NOT late OR late_reason IS NOT NULL", name="late_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeal.id", ondelete="CASCADE"), unique=True)
    essence: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    late_reason: Mapped[str | None] = mapped_column(Text)
    decision_due: Mapped[date] = mapped_column(Date)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    outcome: Mapped[str | None] = mapped_column(String(20))
    decision_reasons: Mapped[str | None] = mapped_column(Text)

    appeal: Mapped[Appeal] = relationship(back_populates="complaint")
    decided_by: Mapped[User | None] = relationship()

    @property
    def is_pending(self) -> bool:
        return self.decided_at is None


class AppealEvent(db.Model):
    """One step of a case (received, registered, referred, extended, decided, withdrawn,
    complaint-filed, complaint-decided), with who took it (None: the applicant or the system)."""

    __tablename__ = "appeal_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeal.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="RESTRICT"))

    appeal: Mapped[Appeal] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
    centre: Mapped[Centre] = relationship(lazy="joined")


class AppealSequence(db.Model):
    """The last receipt number given out per receiving centre and year (APL-ALM-2026-000123)."""

    __tablename__ = "appeal_sequence"

    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)
