"""The staff feature's rules as pure functions, table-tested: which slots a weekly template makes
on which days, and what an exam result must look like.

No database and no request: plain values in, plain values out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.core.working_days import is_holiday

THEORY_QUESTIONS = 40  # the official theory exam: 40 questions …
THEORY_PASS_MARK = 32  # … passed with at least 32 right answers


@dataclass(frozen=True)
class TemplateFacts:
    """What generation needs of a weekly template: the staff's input (checked by
    `services.check_template`) or a saved template (then with its `id`)."""

    weekday: int
    opens_at: time
    closes_at: time
    slot_minutes: int
    capacity: int
    exam_type: str
    categories: tuple[str, ...]
    valid_from: date
    valid_to: date | None
    id: int | None = None

    def applies_on(self, day: date) -> bool:
        return (
            day.weekday() == self.weekday and self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)
        )


@dataclass(frozen=True)
class PlannedSlot:
    template_id: int | None
    exam_type: str
    category: str
    starts_at: datetime  # UTC
    ends_at: datetime
    capacity: int


def day_times(opens_at: time, closes_at: time, slot_minutes: int) -> list[time]:
    """Start times from opening, one slot after another, each ending by closing time."""
    start = datetime.combine(date.min, opens_at)
    end = datetime.combine(date.min, closes_at)
    step = timedelta(minutes=slot_minutes)
    times = []
    while start + step <= end:
        times.append(start.time())
        start += step
    return times


def overlaps(start: time, minutes: int, lunch: tuple[time, time] | None) -> bool:
    """Whether an exam from `start` lasting `minutes` would run into the lunch break (start, end)."""
    if lunch is None:
        return False
    begins = datetime.combine(date.min, start)
    return begins < datetime.combine(date.min, lunch[1]) and begins + timedelta(minutes=minutes) > datetime.combine(
        date.min, lunch[0]
    )


def is_closed(day: date, closures: Iterable[tuple[date, date]]) -> bool:
    """A public holiday of Kazakhstan or one of the centre's closure periods (first, last day)."""
    return is_holiday(day) or any(first <= day <= last for first, last in closures)


def plan_slots(
    templates: Sequence[TemplateFacts],
    zone: ZoneInfo,
    first_day: date,
    days: int,
    closures: Iterable[tuple[date, date]] = (),
    lunch: tuple[time, time] | None = None,
) -> list[PlannedSlot]:
    """The slots `templates` produce over `days` days from `first_day` (the centre's calendar),
    skipping holidays and closures, and every time that would overlap the centre's `lunch` break (a
    template's times keep their rhythm: the ones around the break are simply left out). Wall-clock
    times of the centre's zone become UTC here, so a slot at 02:00 in Almaty lands on the right local
    day although it is the previous day in UTC."""
    closures = list(closures)
    planned = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        if is_closed(day, closures):
            continue
        for template in templates:
            if not template.applies_on(day):
                continue
            for start in day_times(template.opens_at, template.closes_at, template.slot_minutes):
                if overlaps(start, template.slot_minutes, lunch):
                    continue
                starts_at = datetime.combine(day, start, zone)
                ends_at = starts_at + timedelta(minutes=template.slot_minutes)
                planned.extend(
                    PlannedSlot(
                        template.id,
                        template.exam_type,
                        category,
                        starts_at.astimezone(UTC),
                        ends_at.astimezone(UTC),
                        template.capacity,
                    )
                    for category in template.categories
                )
    return sorted(planned, key=lambda slot: (slot.starts_at, slot.exam_type, slot.category))


def theory_passed(score: int) -> bool:
    return score >= THEORY_PASS_MARK


def result_problem(exam_type: str, passed: bool, points: int | None) -> str | None:
    """Why a result cannot be right, as a code (None: it can). Theory: `points` are right answers
    out of 40 and must agree with `passed`; practical: `points` are penalty points."""
    if exam_type == "theory":
        if points is None:
            return "score-required"
        if not 0 <= points <= THEORY_QUESTIONS:
            return "score-out-of-range"
        if theory_passed(points) != passed:
            return "score-contradicts-result"
        return None
    if points is not None and points < 0:
        return "points-negative"
    return None


def exam_day_step(
    status: str, local_day: date, today: date, starts_at: datetime, ends_at: datetime, now: datetime
) -> tuple[str | None, str | None]:
    """What staff may do with a booking now, as (action, why not): action "check-in" or "result"
    when allowed, else None with the reason's code (None when nothing is left to do). The services
    enforce the same rules; this tells the page which button to show and why another is missing."""
    if status in ("confirmed", "refused"):
        if local_day > today:
            return None, "check-in-not-yet"
        if local_day < today or ends_at <= now:
            return None, "check-in-over"
        return "check-in", None
    if status == "attended":
        return ("result", None) if starts_at <= now else (None, "exam-not-started")
    return None, None
