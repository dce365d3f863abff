"""Booking models: exam slots at the centres, applicants' bookings with their
history, ticket numbering and the waitlist.

A slot's `booked` counts the places taken by holds and confirmed bookings; it only ever changes
through the conditional UPDATEs in `places` (and staff capacity changes), and the database refuses `booked > capacity`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    DDL,
    JSON,
    Boolean,
    CheckConstraint,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    and_,
    event,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.centres.models import Centre
from app.core.clock import utcnow
from app.core.types import UTCDateTime
from app.extensions import db

if TYPE_CHECKING:  # auth's models import booking's (through appeals); annotations only
    from app.auth.models import User


class ExamType(enum.StrEnum):
    THEORY = "theory"
    PRACTICAL = "practical"


# Licence categories with exams at SpetsTSON centres (the question bank has its own, shorter list).
LICENCE_CATEGORIES = ("A", "A1", "B", "B1", "BE", "C", "C1", "CE", "D", "D1", "DE")


class BookingStatus(enum.StrEnum):
    HELD = "held"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    ATTENDED = "attended"
    NO_SHOW = "no-show"
    PASSED = "passed"
    FAILED = "failed"
    REFUSED = "refused"  # came, but not admitted: a required document was missing


ACTIVE_STATUSES = (BookingStatus.HELD, BookingStatus.CONFIRMED)
_ACTIVE_SQL = "status IN ('held', 'confirmed')"
_STATUSES_SQL = ", ".join(f"'{status.value}'" for status in BookingStatus)


class Slot(db.Model):
    """Places for one exam (type and licence category) at one centre and time."""

    __tablename__ = "slot"
    __table_args__ = (
        CheckConstraint("exam_type IN ('theory', 'practical')", name="exam_type_known"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("booked >= 0", name="booked_not_negative"),
        # The last line against overselling, whatever the code above it does.
        CheckConstraint("booked <= capacity", name="not_oversold"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        UniqueConstraint("centre_id", "exam_type", "category", "starts_at", name="uq_slot_time"),
        Index("ix_slot_centre_start", "centre_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="RESTRICT"))
    exam_type: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(3))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    blocked_reason: Mapped[str | None] = mapped_column(String(300))
    # The weekly template that generated the slot (None: made by hand or before templates existed).
    template_id: Mapped[int | None] = mapped_column(ForeignKey("slot_template.id", ondelete="SET NULL"), index=True)
    # Held back for a fair-release round's lottery until its draw (app/rounds): while set, the slot's
    # places cannot be booked directly. A string reference: booking does not import rounds.
    round_id: Mapped[int | None] = mapped_column(ForeignKey("release_round.id", ondelete="SET NULL"), index=True)
    # Made by the generator for a week a centre's release policy will announce a round for: held back
    # like a round's slot until that round takes it (or the policy is switched off).
    release_pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    centre: Mapped[Centre] = relationship(lazy="joined")

    @property
    def held_for_release(self) -> bool:
        """Kept out of direct booking and waitlists for a fair-release round (announced or coming)."""
        return self.round_id is not None or bool(self.release_pending)

    @classmethod
    def open_to_booking(cls) -> ColumnElement[bool]:
        """SQL: not held back for a fair-release round (the opposite of `held_for_release`)."""
        return and_(cls.round_id.is_(None), cls.release_pending.is_(False))

    @property
    def local_starts_at(self) -> datetime:
        return self.centre.local(self.starts_at)

    @property
    def local_ends_at(self) -> datetime:
        return self.centre.local(self.ends_at)

    @property
    def local_date(self) -> date:
        return self.local_starts_at.date()

    def __repr__(self) -> str:
        return f"<Slot {self.id} {self.exam_type} {self.category} {self.starts_at:%Y-%m-%d %H:%M}Z>"


# `booked` changes with every hold, confirmation, cancellation and expiry. Half of each page kept
# free lets PostgreSQL write the new row version beside the old one without touching the four
# indexes (a HOT update), even when one statement changes every slot of a page (the hold sweep
# after a long outage); packed full, each such update added an entry to every index. Migration 0012.
SLOT_FILLFACTOR = 50
event.listen(
    Slot.__table__,
    "after_create",
    DDL(f"ALTER TABLE slot SET (fillfactor = {SLOT_FILLFACTOR})").execute_if(dialect="postgresql"),
)


class Booking(db.Model):
    """An applicant's place in a slot: a hold until confirmed, then the booking with its ticket.

    `exam_type` and `category` repeat the slot's (a reschedule keeps them) so that the database
    itself can enforce one active booking per applicant and exam type.
    """

    __tablename__ = "booking"
    __table_args__ = (
        CheckConstraint(f"status IN ({_STATUSES_SQL})", name="status_known"),
        CheckConstraint("status <> 'held' OR hold_expires_at IS NOT NULL", name="hold_has_expiry"),
        CheckConstraint("reschedule_count >= 0", name="reschedule_count_not_negative"),
        CheckConstraint("score IS NULL OR score >= 0", name="score_not_negative"),
        CheckConstraint("penalty_points IS NULL OR penalty_points >= 0", name="penalty_points_not_negative"),
        Index(
            "uq_booking_active_per_exam",
            "user_id",
            "exam_type",
            unique=True,
            sqlite_where=text(_ACTIVE_SQL),
            postgresql_where=text(_ACTIVE_SQL),
        ),
        Index(
            "uq_booking_one_hold",
            "user_id",
            unique=True,
            sqlite_where=text("status = 'held'"),
            postgresql_where=text("status = 'held'"),
        ),
        Index(
            "ix_booking_hold_expiry",
            "hold_expires_at",
            sqlite_where=text("status = 'held'"),
            postgresql_where=text("status = 'held'"),
        ),
        Index("ix_booking_slot_status", "slot_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slot.id", ondelete="RESTRICT"))
    exam_type: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(10), default=BookingStatus.HELD.value)
    hold_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    fee_receipt: Mapped[str | None] = mapped_column(String(40))
    ticket: Mapped[str | None] = mapped_column(String(32), unique=True)
    ics_sequence: Mapped[int] = mapped_column(Integer, default=0)
    reschedule_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    result_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Exam day: the documents staff saw at check-in ({"identity": true, "medical": false, …}),
    # the theory score (right answers) or the practical exam's penalty points.
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    documents: Mapped[dict[str, bool] | None] = mapped_column(JSON)
    score: Mapped[int | None] = mapped_column(Integer)
    penalty_points: Mapped[int | None] = mapped_column(Integer)
    # Cancelled because the centre blocked the slot: the applicant's next booking of this exam is
    # not held back by the cool-down or the change cut-off (see eligibility).
    rebook_priority: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    slot: Mapped[Slot] = relationship(lazy="joined")
    user: Mapped[User] = relationship()
    # The steps written as rows. `events` is the whole history, with the one step derived instead.
    recorded_events: Mapped[list[BookingEvent]] = relationship(
        back_populates="booking", order_by="(BookingEvent.at, BookingEvent.id)", cascade="all, delete-orphan"
    )

    @property
    def events(self) -> list[BookingEvent | DerivedEvent]:
        """The booking's history in order. A hold that ran out has no row for it: the sweep releases
        up to 100 000 holds at once after an outage, and their history rows were half its time. Its
        status and `hold_expires_at` say the same, to the instant (the sweep ran a little later), and
        nothing follows an expired hold. Rows written before that (action "expired") still count."""
        steps: list[BookingEvent | DerivedEvent] = list(self.recorded_events)
        if (
            self.status == BookingStatus.EXPIRED
            and self.hold_expires_at is not None
            and not any(step.action == BookingStatus.EXPIRED for step in steps)
        ):
            steps.append(DerivedEvent(BookingStatus.EXPIRED.value, self.slot_id, self.hold_expires_at, self.slot))
        return steps

    @property
    def centre(self) -> Centre:
        return self.slot.centre

    @property
    def missing_documents(self) -> list[str]:
        return [name for name, shown in (self.documents or {}).items() if not shown]

    def is_live_hold(self, now: datetime) -> bool:
        return self.status == BookingStatus.HELD and self.hold_expires_at is not None and self.hold_expires_at > now

    def __repr__(self) -> str:
        return f"<Booking {self.id} {self.status}>"


class BookingEvent(db.Model):
    """One step in a booking's history (held, confirmed, rescheduled, cancelled, expired, result)."""

    __tablename__ = "booking_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    # Indexed for the slot's side of the foreign key: deleting a never-booked slot (a closure) checks it.
    slot_id: Mapped[int] = mapped_column(ForeignKey("slot.id", ondelete="RESTRICT"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    booking: Mapped[Booking] = relationship(back_populates="recorded_events")
    slot: Mapped[Slot] = relationship(lazy="joined")


@dataclass(frozen=True)
class DerivedEvent:
    """A step of a booking's history read from the booking itself (see `Booking.events`)."""

    action: str
    slot_id: int
    at: datetime
    slot: Slot


class TicketSequence(db.Model):
    """The last ticket number given out per centre and local exam day (tickets are NNNN of that day)."""

    __tablename__ = "ticket_sequence"

    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class WaitlistStatus(enum.StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"
    LEFT = "left"


class WaitlistEntry(db.Model):
    """Someone waiting for a place on a full day (`slot_id` NULL) or in one full slot.

    One waiting entry per applicant and exam type: people queue for one thing at a time.
    """

    __tablename__ = "waitlist_entry"
    __table_args__ = (
        CheckConstraint("status IN ('waiting', 'offered', 'left')", name="status_known"),
        Index(
            "uq_waitlist_entry_waiting",
            "user_id",
            "exam_type",
            unique=True,
            sqlite_where=text("status = 'waiting'"),
            postgresql_where=text("status = 'waiting'"),
        ),
        Index("ix_waitlist_entry_queue", "centre_id", "exam_type", "category", "day", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"))
    exam_type: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(3))
    day: Mapped[date] = mapped_column(Date)
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("slot.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10), default=WaitlistStatus.WAITING.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    offered_booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id", ondelete="SET NULL"))

    centre: Mapped[Centre] = relationship(lazy="joined")
    slot: Mapped[Slot | None] = relationship()
