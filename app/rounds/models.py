"""Fair-release rounds: a centre's batch of new places given out by an auditable lottery.

A round is announced with the SHA-256 of a secret seed; its slots are held back from direct
booking (`slot.round_pending`) until the draw. Applicants file one request per round with up to
five slots in order of preference; the draw publishes the seed and, per request, a pseudonymous
token, its lottery position and its outcome, so anyone can recompute it (`verifying`).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.centres.models import Centre
from app.core.clock import utcnow
from app.core.types import UTCDateTime
from app.extensions import db

if TYPE_CHECKING:
    from app.auth.models import User

MAX_CHOICES = 5


class RoundStatus(enum.StrEnum):
    """Stored states; `upcoming`, `open` and `due` are read from the clock (see `ReleaseRound.phase`)."""

    ANNOUNCED = "announced"
    DRAWN = "drawn"
    CANCELLED = "cancelled"


class Phase(enum.StrEnum):
    UPCOMING = "upcoming"  # requests not open yet
    OPEN = "open"  # requests may be filed, changed and withdrawn
    DUE = "due"  # the draw time has passed; the draw job is about to run
    DRAWN = "drawn"
    CANCELLED = "cancelled"


class Outcome(enum.StrEnum):
    WON = "won"
    LOST = "lost"
    INELIGIBLE = "ineligible"  # refused by the booking rules at the draw (not in the lottery)


class ReleaseRound(db.Model):
    __tablename__ = "release_round"
    __table_args__ = (
        CheckConstraint("status IN ('announced', 'drawn', 'cancelled')", name="status_known"),
        CheckConstraint("draw_at > opens_at", name="draw_after_opening"),
        Index("ix_release_round_centre_draw", "centre_id", "draw_at"),
        Index("ix_release_round_status_draw", "status", "draw_at"),
        # A release policy announces one round per week, exam and category, however many schedulers
        # run its job at once (rounds announced by hand have no week: NULLs never clash).
        UniqueConstraint("centre_id", "exam_type", "category", "policy_week", name="uq_release_round_policy_week"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="RESTRICT"))
    exam_type: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(3))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    draw_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(10), default=RoundStatus.ANNOUNCED.value)
    # The seed stays secret (never shown) until the draw; its hash is public from the announcement.
    seed: Mapped[str] = mapped_column(String(64))
    seed_sha256: Mapped[str] = mapped_column(String(64))
    # Published at the draw: the free places of each slot the lottery gave out ({"slot id": n}).
    places: Mapped[dict[str, int] | None] = mapped_column(JSON)
    # Published at the draw too: each of those slots' start in the centre's zone ({"slot id": ISO
    # 8601 with offset}), from which anyone can tell the slots a "day and part of day" choice meant.
    slot_starts: Mapped[dict[str, str] | None] = mapped_column(JSON)
    drawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # The Monday (centre's calendar) of the week a release policy announced this round for.
    policy_week: Mapped[date | None] = mapped_column(Date)

    centre: Mapped[Centre] = relationship(lazy="joined")

    def phase(self, now: datetime) -> Phase:
        if self.status == RoundStatus.DRAWN:
            return Phase.DRAWN
        if self.status == RoundStatus.CANCELLED:
            return Phase.CANCELLED
        if now < self.opens_at:
            return Phase.UPCOMING
        return Phase.OPEN if now < self.draw_at else Phase.DUE

    def __repr__(self) -> str:
        return f"<ReleaseRound {self.id} {self.status}>"


class RoundRequest(db.Model):
    """One person's request in a round: choices in order of preference (slot ids, or {"date",
    "part"} for any time of that day and part of day: `lottery.parse_choice`); after the draw its
    token, lottery position and outcome (all three published, never the person)."""

    __tablename__ = "round_request"
    __table_args__ = (
        # One request per person and round (a round is for one exam type).
        UniqueConstraint("round_id", "user_id", name="uq_round_request_person"),
        CheckConstraint("outcome IS NULL OR outcome IN ('won', 'lost', 'ineligible')", name="outcome_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("release_round.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    choices: Mapped[list[int | dict[str, str]]] = mapped_column(JSON)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set by the draw.
    priority: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    position: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str | None] = mapped_column(String(10))
    outcome_reason: Mapped[str | None] = mapped_column(String(40))
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("slot.id", ondelete="SET NULL"))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id", ondelete="SET NULL"))

    round: Mapped[ReleaseRound] = relationship(lazy="joined")
    user: Mapped[User] = relationship()

    def published(self) -> dict[str, Any]:
        return {
            "token": self.token,
            "priority": self.priority,
            "choices": list(self.choices),
            "position": self.position,
            "outcome": self.outcome,
            "slot_id": self.slot_id,
        }


class ReleasePolicy(db.Model):
    """A centre's standing rule: "every Monday 10:00, announce the week four weeks ahead as a round"
    (app/rounds/policies.py). One per centre; times in the centre's zone."""

    __tablename__ = "release_policy"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_known"),
        CheckConstraint("minute_of_day BETWEEN 0 AND 1439", name="minute_in_day"),
        CheckConstraint("weeks_ahead BETWEEN 1 AND 12", name="weeks_ahead_range"),
        CheckConstraint("window_minutes BETWEEN 5 AND 1440", name="window_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), unique=True)
    weekday: Mapped[int] = mapped_column(SmallInteger)  # 0 Monday … 6 Sunday
    minute_of_day: Mapped[int] = mapped_column(SmallInteger)  # local time of the announcement
    weeks_ahead: Mapped[int] = mapped_column(SmallInteger, default=4)
    window_minutes: Mapped[int] = mapped_column(SmallInteger, default=30)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Occurrences before this (when it was last saved) are not announced late.
    active_since: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    centre: Mapped[Centre] = relationship(lazy="joined")
