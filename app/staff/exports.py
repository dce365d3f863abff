"""CSV exports of rosters and bookings. IINs are masked: an export leaves the system, and nobody
needs the full number in a spreadsheet. Cells are kept from being read as formulas."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from app.auth.iin import mask_iin
from app.booking.models import Booking

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    """A value as a CSV cell; text starting like a formula gets a leading apostrophe (CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).isoformat(timespec="minutes") if moment else ""


def _table(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([cell(value) for value in row] for row in rows)
    return out.getvalue()


def roster_csv(bookings: Sequence[Booking], zone: ZoneInfo) -> str:
    return _table(
        ["ticket", "full_name", "iin", "status", "checked_in_at", "missing_documents", "score", "penalty_points"],
        (
            [
                booking.ticket,
                booking.user.full_name,
                mask_iin(booking.user.iin),
                booking.status,
                _local(booking.checked_in_at, zone),
                " ".join(booking.missing_documents),
                booking.score,
                booking.penalty_points,
            ]
            for booking in bookings
        ),
    )


def bookings_csv(bookings: Sequence[Booking], zone: ZoneInfo) -> str:
    return _table(
        [
            "booking_id",
            "ticket",
            "exam",
            "category",
            "starts_at",
            "status",
            "booked_at",
            "confirmed_at",
            "cancelled_at",
            "checked_in_at",
            "score",
            "penalty_points",
            "full_name",
            "iin",
        ],
        (
            [
                booking.id,
                booking.ticket,
                booking.exam_type,
                booking.category,
                _local(booking.slot.starts_at, zone),
                booking.status,
                _local(booking.created_at, zone),
                _local(booking.confirmed_at, zone),
                _local(booking.cancelled_at, zone),
                _local(booking.checked_in_at, zone),
                booking.score,
                booking.penalty_points,
                booking.user.full_name,
                mask_iin(booking.user.iin),
            ]
            for booking in bookings
        ),
    )
