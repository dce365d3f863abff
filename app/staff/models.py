"""Weekly slot templates and closure dates of exam centres."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.centres.models import Centre
from app.core.clock import utcnow
from app.core.types import UTCDateTime
from app.extensions import db


class SlotTemplate(db.Model):
    """One weekday's exam times at a centre: from `opens_at` to `closes_at` (the centre's wall clock)
    in slots of `slot_minutes`, each with `capacity` places for every listed licence category.

    Slots are materialised from templates over a horizon (`services.generate_slots`); a slot keeps a
    link to the template that made it, and published slots stay when the template changes later."""

    __tablename__ = "slot_template"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_known"),
        CheckConstraint("exam_type IN ('theory', 'practical')", name="exam_type_known"),
        CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
        CheckConstraint("slot_minutes BETWEEN 10 AND 480", name="slot_minutes_sensible"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)  # Monday 0 … Sunday 6, as date.weekday()
    opens_at: Mapped[time] = mapped_column(Time)
    closes_at: Mapped[time] = mapped_column(Time)
    slot_minutes: Mapped[int] = mapped_column(Integer)
    capacity: Mapped[int] = mapped_column(Integer)
    exam_type: Mapped[str] = mapped_column(String(10))
    categories: Mapped[str] = mapped_column(String(64))  # "A,B,BE": licence categories, comma-separated
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    centre: Mapped[Centre] = relationship(lazy="joined")

    @property
    def category_list(self) -> list[str]:
        return [category for category in self.categories.split(",") if category]

    def __repr__(self) -> str:
        return f"<SlotTemplate {self.id} {self.exam_type} weekday {self.weekday}>"


class CentreClosure(db.Model):
    """Days a centre does not hold exams (besides public holidays): repairs, training, elections."""

    __tablename__ = "centre_closure"
    __table_args__ = (CheckConstraint("last_day >= first_day", name="day_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), index=True)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    centre: Mapped[Centre] = relationship(lazy="joined")
