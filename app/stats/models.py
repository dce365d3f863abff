"""The summary tables the public statistics are read from.

They hold raw counts (never a person: no user id, no booking id), rebuilt as a whole by
`rebuild.rebuild`; what may be published of them is decided on reading (`suppression`)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.types import UTCDateTime
from app.extensions import db

# The counts of a cell, in the order the rebuild and the API name them.
COUNTS = (
    "offered",
    "booked",
    "slots_blocked",
    "cancelled_by_centre",
    "sat",
    "results",
    "passed",
    "first_results",
    "first_passed",
    "expected",
    "no_shows",
    "waited",
)


class StatsMonth(db.Model):
    """One centre, exam type, licence category and month (the centre's calendar month).

    - offered: places of the slots not blocked; booked: of those, places taken by a booking that
      was confirmed (held ones and cancelled ones do not count);
    - slots_blocked: slots the centre blocked; cancelled_by_centre: bookings cancelled by it;
    - sat: people examined (admitted; with or without a result yet); results, passed: people with a
      result, who passed; first_results, first_passed: the same for first attempts (nobody's earlier
      result for this exam and category);
    - expected: people with a confirmed place at an exam that took place; no_shows: of them, absent;
    - waited and wait_histogram: confirmed bookings by whole days from the booking's creation to the
      exam ({"days": people}), so the median and 90th percentile of any set of cells can be found;
    - first_free_on: on the rows of the month of the rebuild, the first day with a free place.
    """

    __tablename__ = "stats_month"
    __table_args__ = (UniqueConstraint("centre_id", "exam_type", "category", "month", name="uq_stats_month_cell"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), index=True)
    exam_type: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(3))
    month: Mapped[date] = mapped_column(Date)  # the first day of the month
    offered: Mapped[int] = mapped_column(Integer, default=0)
    booked: Mapped[int] = mapped_column(Integer, default=0)
    slots_blocked: Mapped[int] = mapped_column(Integer, default=0)
    cancelled_by_centre: Mapped[int] = mapped_column(Integer, default=0)
    sat: Mapped[int] = mapped_column(Integer, default=0)
    results: Mapped[int] = mapped_column(Integer, default=0)
    passed: Mapped[int] = mapped_column(Integer, default=0)
    first_results: Mapped[int] = mapped_column(Integer, default=0)
    first_passed: Mapped[int] = mapped_column(Integer, default=0)
    expected: Mapped[int] = mapped_column(Integer, default=0)
    no_shows: Mapped[int] = mapped_column(Integer, default=0)
    waited: Mapped[int] = mapped_column(Integer, default=0)
    wait_histogram: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    first_free_on: Mapped[date | None] = mapped_column(Date)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StatsClosureMonth(db.Model):
    """Days of one centre's month with a closure or a blocked exam time, and the reasons staff gave."""

    __tablename__ = "stats_closure_month"
    __table_args__ = (UniqueConstraint("centre_id", "month", name="uq_stats_closure_month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), index=True)
    month: Mapped[date] = mapped_column(Date)
    days_closed: Mapped[int] = mapped_column(Integer, default=0)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime())
