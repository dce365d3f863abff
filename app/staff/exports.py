"""CSV exports of rosters and bookings. IINs are masked: an export leaves the system, and nobody
needs the full number in a spreadsheet. Cells are kept from being read as formulas."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from app.auth.iin import mask_iin
from app.booking.models import Booking
from app.centres.models import Centre

# Put before the CSV so that spreadsheet programs read the Cyrillic names as UTF-8.
BYTE_ORDER_MARK = "\ufeff"

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


def _write_table(out: TextIO, header: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Write the header and the rows as they come (a stream need not fit in memory); returns the rows."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow([cell(value) for value in row])
        count += 1
    return count


def _table(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    out = io.StringIO()
    _write_table(out, header, rows)
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


BOOKINGS_HEADER = (
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
)


def _booking_row(booking: Booking, zone: ZoneInfo) -> list:
    return [
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


def bookings_csv(bookings: Sequence[Booking], zone: ZoneInfo) -> str:
    return _table(BOOKINGS_HEADER, (_booking_row(booking, zone) for booking in bookings))


def write_bookings_csv(out: TextIO, bookings: Iterable[Booking], zone: ZoneInfo) -> int:
    """The CSV of `bookings_csv`, written as the bookings stream in; returns how many were written."""
    return _write_table(out, BOOKINGS_HEADER, (_booking_row(booking, zone) for booking in bookings))


def bookings_filename(centre: Centre, first_day: date, last_day: date) -> str:
    return f"bookings-{centre.code}-{first_day:%Y%m%d}-{last_day:%Y%m%d}.csv"
