"""Dashboard figures and their SVG chart, computed from plain rows (pure and table-tested).

- utilisation: places taken / places offered, per local day and per ISO week (blocked times offer none);
- no-show rate: no-shows / everyone expected at an exam that is over (came, refused or absent);
- pass rates: passed / (passed + failed), theory and practical apart;
- lead time: days from confirming a booking to its exam, median and mean.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

EXPECTED = ("attended", "passed", "failed", "no-show", "refused")  # people due at an exam that is over
WENT_AHEAD = ("confirmed", *EXPECTED)  # bookings that kept their place up to the exam


@dataclass(frozen=True)
class SlotRow:
    day: date  # the centre's local day
    capacity: int
    taken: int
    blocked: bool


@dataclass(frozen=True)
class BookingRow:
    exam_type: str
    status: str
    confirmed_at: datetime | None
    starts_at: datetime


@dataclass(frozen=True)
class Utilisation:
    label: str  # a day (ISO date) or an ISO week ("2026-W49"): a key; pages show `first`–`last`
    taken: int
    capacity: int
    first: date | None = None  # the days it covers (a week: Monday to Sunday)
    last: date | None = None

    @property
    def rate(self) -> float | None:
        return self.taken / self.capacity if self.capacity else None


@dataclass(frozen=True)
class Figures:
    by_day: list[Utilisation]
    by_week: list[Utilisation]
    total: Utilisation
    no_show_rate: float | None
    theory_pass_rate: float | None
    practical_pass_rate: float | None
    lead_days_median: float | None
    lead_days_mean: float | None
    exams: int  # people expected at exams that are over


def _sum(label: str, rows: Iterable[SlotRow], first: date | None = None, last: date | None = None) -> Utilisation:
    open_rows = [row for row in rows if not row.blocked]
    return Utilisation(label, sum(row.taken for row in open_rows), sum(row.capacity for row in open_rows), first, last)


def _week_days(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def compute(slots: Sequence[SlotRow], bookings: Sequence[BookingRow]) -> Figures:
    days: dict[date, list[SlotRow]] = {}
    weeks: dict[str, list[SlotRow]] = {}
    for row in slots:
        days.setdefault(row.day, []).append(row)
        weeks.setdefault(_week(row.day), []).append(row)
    statuses = [booking.status for booking in bookings]
    expected = sum(status in EXPECTED for status in statuses)

    def pass_rate(exam_type: str) -> float | None:
        results = [b.status for b in bookings if b.exam_type == exam_type and b.status in ("passed", "failed")]
        return _rate(results.count("passed"), len(results))

    leads = [
        (booking.starts_at - booking.confirmed_at).total_seconds() / 86400
        for booking in bookings
        if booking.confirmed_at is not None and booking.status in WENT_AHEAD
    ]
    return Figures(
        by_day=[_sum(day.isoformat(), rows, day, day) for day, rows in sorted(days.items())],
        by_week=[_sum(week, rows, *_week_days(rows[0].day)) for week, rows in sorted(weeks.items())],
        total=_sum("", slots),
        no_show_rate=_rate(statuses.count("no-show"), expected),
        theory_pass_rate=pass_rate("theory"),
        practical_pass_rate=pass_rate("practical"),
        lead_days_median=round(statistics.median(leads), 1) if leads else None,
        lead_days_mean=round(statistics.fmean(leads), 1) if leads else None,
        exams=expected,
    )


# --- The chart: utilisation per day as bars ----------------------------------------------------

WIDTH, HEIGHT, PAD, LABEL_SPACE = 640, 260, 44, 56
SLANTED_FROM = 12  # more bars than this: their day labels are slanted so that none overlaps


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: date | None
    percent: int


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    y_ticks: list[tuple[float, int]]  # (y, percent)
    baseline: float
    pad: int = PAD
    slanted: bool = False  # day labels turned 45° (many bars)


def utilisation_chart(rows: Sequence[Utilisation]) -> BarChart | None:
    """Bars from 0 to 100 % (over 100 % cannot happen: a slot is never oversold); None without data."""
    rows = [row for row in rows if row.rate is not None]
    if not rows:
        return None
    inner_w = WIDTH - 2 * PAD
    inner_h = HEIGHT - PAD - LABEL_SPACE
    slot_w = inner_w / len(rows)
    baseline = PAD + inner_h

    def y_of(rate: float) -> float:
        return round(baseline - inner_h * rate, 1)

    bars = [
        Bar(
            x=round(PAD + index * slot_w + slot_w * 0.15, 1),
            y=y_of(row.rate),
            width=round(slot_w * 0.7, 1),
            height=round(baseline - y_of(row.rate), 1),
            day=row.first,  # shown in the reader's format (dd.MM in ru/kk)
            percent=round(row.rate * 100),
        )
        for index, row in enumerate(rows)
    ]
    return BarChart(
        WIDTH, HEIGHT, bars, [(y_of(p / 100), p) for p in (0, 50, 100)], baseline, slanted=len(bars) > SLANTED_FROM
    )
