"""Exam centres (SpetsTSON branches): where they are, when they open, and the time zone their
exam times are shown in."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import CheckConstraint, String, Time
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.core.i18n import localized
from app.core.types import UTCDateTime
from app.extensions import db


class Centre(db.Model):
    __tablename__ = "centre"
    __table_args__ = (
        CheckConstraint("length(code) BETWEEN 2 AND 10", name="code_length"),
        CheckConstraint(
            "(lunch_starts_at IS NULL AND lunch_ends_at IS NULL) OR lunch_ends_at > lunch_starts_at",
            name="lunch_break_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)
    name_kk: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    city_kk: Mapped[str] = mapped_column(String(100))
    city_ru: Mapped[str] = mapped_column(String(100))
    city_en: Mapped[str] = mapped_column(String(100))
    address_kk: Mapped[str] = mapped_column(String(300))
    address_ru: Mapped[str] = mapped_column(String(300))
    address_en: Mapped[str] = mapped_column(String(300))
    opening_hours_kk: Mapped[str] = mapped_column(String(200), default="", server_default="")
    opening_hours_ru: Mapped[str] = mapped_column(String(200), default="", server_default="")
    opening_hours_en: Mapped[str] = mapped_column(String(200), default="", server_default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Almaty")
    # The daily lunch break (the centre's wall clock), when no exam is held: both set or neither. Slot
    # generation leaves out every time that would overlap it (app/staff/rules.py).
    lunch_starts_at: Mapped[time | None] = mapped_column(Time)
    lunch_ends_at: Mapped[time | None] = mapped_column(Time)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def city(self) -> str:
        return localized(self, "city")

    @property
    def address(self) -> str:
        return localized(self, "address")

    @property
    def opening_hours(self) -> str:
        return localized(self, "opening_hours")

    @property
    def lunch_break(self) -> tuple[time, time] | None:
        if self.lunch_starts_at is None or self.lunch_ends_at is None:
            return None
        return self.lunch_starts_at, self.lunch_ends_at

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local(self, moment: datetime) -> datetime:
        """A stored UTC time as the centre's wall-clock time."""
        return moment.astimezone(self.zone)

    def __repr__(self) -> str:
        return f"<Centre {self.code}>"
