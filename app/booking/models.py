"""Booking models. For now the exam centres (SpetsTSON branches)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.core.i18n import localized
from app.core.types import UTCDateTime
from app.extensions import db


class Centre(db.Model):
    __tablename__ = "centre"
    __table_args__ = (CheckConstraint("length(code) BETWEEN 2 AND 10", name="code_length"),)

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
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Almaty")
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

    def __repr__(self) -> str:
        return f"<Centre {self.code}>"
