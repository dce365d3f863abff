"""CSV exports of rosters and bookings. IINs are masked: an export leaves the system, and nobody
needs the full number in a spreadsheet. Downloads speak the reader's language (headers, statuses,
exams, documents) with the separator of their choice (core/spreadsheets); the command-line export
keeps stable machine names for scripts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from app.auth.iin import mask_iin
from app.booking.labels import DOCUMENTS, EXAM_NAMES, STATUS_NAMES
from app.booking.models import Booking
from app.centres.models import Centre
from app.core import spreadsheets

BYTE_ORDER_MARK = spreadsheets.BYTE_ORDER_MARK


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).isoformat(timespec="minutes") if moment else ""


ROSTER_HEADER = (
    _l("Ticket"),
    _l("Full name"),
    _l("IIN"),
    _l("Status"),
    _l("Checked in at"),
    _l("Missing documents"),
    _l("Right answers"),
    _l("Penalty points"),
)


def roster_csv(bookings: Sequence[Booking], zone: ZoneInfo, separator: str = "comma") -> str:
    return spreadsheets.table(
        ROSTER_HEADER,
        (
            [
                booking.ticket,
                booking.user.full_name,
                mask_iin(booking.user.iin),
                STATUS_NAMES.get(booking.status, booking.status),
                _local(booking.checked_in_at, zone),
                ", ".join(str(DOCUMENTS[name]) for name in booking.missing_documents),
                booking.score,
                booking.penalty_points,
            ]
            for booking in bookings
        ),
        separator,
    )


# (machine name for the command line, header people read)
BOOKINGS_COLUMNS = (
    ("booking_id", _l("Booking number")),
    ("ticket", _l("Ticket")),
    ("exam", _l("Exam")),
    ("category", _l("Licence category")),
    ("starts_at", _l("Exam starts")),
    ("status", _l("Status")),
    ("booked_at", _l("Booked at")),
    ("confirmed_at", _l("Confirmed at")),
    ("cancelled_at", _l("Cancelled at")),
    ("checked_in_at", _l("Checked in at")),
    ("score", _l("Right answers")),
    ("penalty_points", _l("Penalty points")),
    ("full_name", _l("Full name")),
    ("iin", _l("IIN")),
)
BOOKINGS_HEADER = tuple(name for name, _label in BOOKINGS_COLUMNS)


def _booking_row(booking: Booking, zone: ZoneInfo, names: bool = False) -> list:
    """One booking; `names`: exam and status as people read them, else their codes."""
    return [
        booking.id,
        booking.ticket,
        EXAM_NAMES.get(booking.exam_type, booking.exam_type) if names else booking.exam_type,
        booking.category,
        _local(booking.slot.starts_at, zone),
        STATUS_NAMES.get(booking.status, booking.status) if names else booking.status,
        _local(booking.created_at, zone),
        _local(booking.confirmed_at, zone),
        _local(booking.cancelled_at, zone),
        _local(booking.checked_in_at, zone),
        booking.score,
        booking.penalty_points,
        booking.user.full_name,
        mask_iin(booking.user.iin),
    ]


def bookings_csv(bookings: Sequence[Booking], zone: ZoneInfo, separator: str = "comma") -> str:
    """The download: headers, exams and statuses in the reader's language."""
    return spreadsheets.table(
        [label for _name, label in BOOKINGS_COLUMNS],
        (_booking_row(booking, zone, names=True) for booking in bookings),
        separator,
    )


def write_bookings_csv(out: TextIO, bookings: Iterable[Booking], zone: ZoneInfo) -> int:
    """The command line's CSV (machine names and codes, commas), written as the bookings stream in;
    returns how many were written."""
    return spreadsheets.write_table(out, BOOKINGS_HEADER, (_booking_row(booking, zone) for booking in bookings))


def bookings_filename(centre: Centre, first_day: date, last_day: date) -> str:
    return f"bookings-{centre.code}-{first_day:%Y%m%d}-{last_day:%Y%m%d}.csv"
