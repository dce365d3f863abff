"""The calendar pages' layout: which days a month or week view covers and where each slot goes.

Pure arithmetic over dates and the slots already loaded; the views render it.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from app.booking.availability import DayPlaces, SlotAvailability
from app.booking.eligibility import BookingWindow
from app.core.working_days import add_months

VIEWS = ("month", "week", "table")


@dataclass(frozen=True)
class Period:
    view: str
    first_day: date
    last_day: date
    previous: date  # a day in the period before
    next: date  # a day in the period after

    @classmethod
    def around(cls, view: str, day: date) -> Period:
        if view == "month":
            first = day.replace(day=1)
            last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
            return cls(view, first, last, add_months(first, -1), add_months(first, 1))
        monday = day - timedelta(days=day.weekday())
        return cls(view, monday, monday + timedelta(days=6), monday - timedelta(days=7), monday + timedelta(days=7))

    @property
    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=n) for n in range((self.last_day - self.first_day).days + 1)]


@dataclass
class Agenda:
    """The week and table views: every slot of the period, bookable or not."""

    period: Period
    slots: list[SlotAvailability]
    window: BookingWindow  # the exams that can be booked now (Policy.booking_open)
    by_day: dict[date, list[SlotAvailability]] = field(init=False)

    def __post_init__(self) -> None:
        self.by_day = {}
        for item in self.slots:
            self.by_day.setdefault(item.slot.local_date, []).append(item)

    @property
    def times(self) -> list[time]:
        """The week view's rows: every local start time in the week."""
        return sorted({item.slot.local_starts_at.time() for item in self.slots})

    def is_open(self, item: SlotAvailability) -> bool:
        return item.is_open(self.window)

    def can_book(self, item: SlotAvailability) -> bool:
        return item.can_book(self.window)

    @property
    def has_free_places(self) -> bool:
        return any(self.can_book(item) for item in self.slots)

    def at(self, day: date, start: time) -> SlotAvailability | None:
        return next((item for item in self.by_day.get(day, []) if item.slot.local_starts_at.time() == start), None)


@dataclass(frozen=True)
class MonthAgenda:
    """The month view: per day, only how many places are free."""

    period: Period
    days: dict[date, DayPlaces]

    @property
    def has_free_places(self) -> bool:
        return any(places.free > 0 for places in self.days.values())

    @property
    def waitable_days(self) -> list[date]:
        """Full days whose waitlist can be joined (the grid's buttons)."""
        return sorted(day for day, places in self.days.items() if not places.free and places.waitlist_slot)

    @property
    def weeks(self) -> list[list[date]]:
        """The rows, Monday first (days of the neighbouring months included)."""
        first = self.period.first_day
        return calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)


def switch_days(agenda: Agenda | MonthAgenda, today: date) -> dict[str, date]:
    """The day each view opens on when the person switches to it, so that it shows the period being looked
    at rather than the current one. Week and table show the same week. From a month, a week shows the
    month's first day with a free place, else its first day with exam times to book, else its first day not
    past (days before the month's own first never: the week of the 1st may start in the month before).
    From a week, the month is the one most of the week lies in (the month of its Thursday)."""
    period = agenda.period
    if isinstance(agenda, MonthAgenda):
        free = [day for day, places in agenda.days.items() if places.free]
        week_day = min(free or agenda.days or [min(max(today, period.first_day), period.last_day)])
        return {"month": period.first_day, "week": week_day, "table": week_day}
    return {"month": period.first_day + timedelta(days=3), "week": period.first_day, "table": period.first_day}
