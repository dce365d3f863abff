"""Who may book, move or cancel which exam place: every rule in one pure module.

No database, no request: the caller gives plain facts (the slot, the applicant's bookings with
their results, the time, the policy) and gets back `None` or the `Refusal` naming the rule.

The rules:
- no booking in the past, within the change cut-off before the start, or beyond the booking window;
- at most one live hold per applicant; one active (held or confirmed) booking per exam type;
- practical only after a passed theory exam in the same category; a passed exam is not booked again;
- retakes: after a first failure from the next working day, after a second (and later) at least one
  month after the last attempt; a third failed practical cancels the theory pass, and theory may
  then be retaken only two months after that third failure;
- after a cancellation, one new booking per exam type within the cool-down (10 days by default);
- when the centre cancelled a booking (it blocked the slot), the applicant's next booking of that exam
  is a priority rebooking: neither the cool-down nor the change cut-off holds it back;
- a booking moves only to the same exam and category, at most `max_reschedules` times, and is
  changed or cancelled only until the cut-off (a hold can always be let go).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import format_date, format_datetime
from flask_babel import lazy_gettext as _l

from app.booking.models import BookingStatus, ExamType
from app.core.working_days import add_months, next_working_day

THEORY_VOIDING_FAILURES = 3  # failed practical exams after which the theory pass no longer counts
VOIDED_THEORY_WAIT_MONTHS = 2

MESSAGES = {
    "slot-in-past": _l("This exam time has already passed."),
    "after-cutoff": _l("Places can be booked, moved or cancelled only until %(hours)s hours before the exam."),
    "outside-window": _l("Places can be booked at most %(days)s days ahead."),
    "category-mismatch": _l("A booking can move only to a place for the same exam and licence category."),
    "reschedule-limit": _l("This booking cannot be moved again: a booking may be moved at most %(count)s times."),
    "live-hold": _l("You are already holding a place. Confirm it or let it go first."),
    "already-booked": _l("You already have an active booking for this exam. Move or cancel it instead."),
    "already-passed": _l("You have already passed this exam in this category."),
    "theory-required": _l("The practical exam can be booked only after a passed theory exam in the same category."),
    "theory-voided": _l(
        "After three failed practical exams the theory pass no longer counts: pass the theory exam again first."
    ),
    "retake-wait": _l("After a failed exam the next attempt is possible from %(date)s."),
    "cooldown": _l(
        "After a cancellation only one new booking is possible within %(days)s days; the next one from %(date)s."
    ),
}


@dataclass(frozen=True)
class BookingWindow:
    """The starts of the exams that can be booked at one moment: past the change cut-off, within
    the booking window."""

    opens: datetime
    closes: datetime

    def admits(self, starts_at: datetime) -> bool:
        return self.opens <= starts_at <= self.closes


@dataclass(frozen=True)
class Policy:
    """The configurable limits (config.py, from the environment)."""

    hold_ttl: timedelta = timedelta(minutes=15)
    waitlist_hold_ttl: timedelta = timedelta(hours=1)
    change_cutoff: timedelta = timedelta(hours=24)
    max_reschedules: int = 2
    cooldown: timedelta = timedelta(days=10)
    window: timedelta = timedelta(days=90)
    # Holds a person may take in 24 hours, expired and released ones included: cycling holds
    # cannot keep places blocked.
    daily_holds: int = 10

    def booking_open(self, now: datetime, *, priority: bool = False) -> BookingWindow:
        """`priority`: the one rebooking a centre's cancellation entitles to is not held back by the
        change cut-off (see `refusal_to_book`)."""
        return BookingWindow(now if priority else now + self.change_cutoff, now + self.window)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Policy:
        return cls(
            hold_ttl=timedelta(seconds=config["HOLD_TTL_SECONDS"]),
            waitlist_hold_ttl=timedelta(seconds=config["WAITLIST_HOLD_TTL_SECONDS"]),
            change_cutoff=timedelta(hours=config["BOOKING_CHANGE_CUTOFF_HOURS"]),
            max_reschedules=config["BOOKING_MAX_RESCHEDULES"],
            cooldown=timedelta(days=config["BOOKING_COOLDOWN_DAYS"]),
            window=timedelta(days=config["BOOKING_WINDOW_DAYS"]),
            daily_holds=config["BOOKING_DAILY_HOLD_LIMIT"],
        )


@dataclass(frozen=True)
class SlotFacts:
    exam_type: str
    category: str
    starts_at: datetime  # UTC
    local_date: date  # the exam day at the centre


@dataclass(frozen=True)
class BookingFacts:
    """One of the applicant's bookings, past or present."""

    id: int
    exam_type: str
    category: str
    status: str
    created_at: datetime
    starts_at: datetime
    local_date: date
    hold_expires_at: datetime | None = None
    cancelled_at: datetime | None = None
    reschedule_count: int = 0
    rebook_priority: bool = False  # cancelled by the centre (a blocked slot)

    def is_active(self, now: datetime) -> bool:
        """Confirmed, or a hold that has not expired (an expired hold counts for nothing)."""
        return self.status == BookingStatus.CONFIRMED or self.is_live_hold(now)

    def is_live_hold(self, now: datetime) -> bool:
        return self.status == BookingStatus.HELD and self.hold_expires_at is not None and self.hold_expires_at > now


@dataclass(frozen=True)
class Refusal:
    reason: str
    values: Mapping[str, Any] = field(default_factory=dict)
    not_before: date | datetime | None = None

    @property
    def message(self) -> str:
        """The rule, in the reader's language (needs an app context)."""
        values = dict(self.values)
        if isinstance(self.not_before, datetime):
            values["date"] = format_datetime(self.not_before, "short")
        elif self.not_before is not None:
            values["date"] = format_date(self.not_before, "long")
        return str(MESSAGES[self.reason]) % values if values else str(MESSAGES[self.reason])


def refusal_to_change(starts_at: datetime, now: datetime, policy: Policy) -> Refusal | None:
    """Booking, moving or cancelling a place for an exam starting at `starts_at`."""
    if starts_at <= now:
        return Refusal("slot-in-past")
    if starts_at - now < policy.change_cutoff:
        return Refusal("after-cutoff", {"hours": int(policy.change_cutoff.total_seconds() // 3600)})
    return None


def refusal_to_book(
    slot: SlotFacts,
    history: Sequence[BookingFacts],
    now: datetime,
    policy: Policy,
    *,
    moving: BookingFacts | None = None,
) -> Refusal | None:
    """May the applicant with `history` take a place in `slot`? `moving`: the booking being moved there."""
    priority = moving is None and has_priority(slot.exam_type, history)
    refusal = refusal_to_change(slot.starts_at, now, policy)
    if refusal is not None and not (priority and refusal.reason == "after-cutoff"):
        return refusal
    if slot.starts_at - now > policy.window:
        return Refusal("outside-window", {"days": policy.window.days})
    others = [booking for booking in history if moving is None or booking.id != moving.id]
    if moving is None and any(booking.is_live_hold(now) for booking in others):
        return Refusal("live-hold")
    if any(booking.is_active(now) and booking.exam_type == slot.exam_type for booking in others):
        return Refusal("already-booked")
    if refusal := _refusal_by_results(slot, others):
        return refusal
    if moving is None and not priority:
        return _refusal_by_cooldown(slot, others, now, policy)
    return None


def has_priority(exam_type: str, history: Sequence[BookingFacts]) -> bool:
    """A booking of this exam was cancelled by the centre and none has been made since: the one
    rebooking it entitles to is still unused."""
    same_exam = [booking for booking in history if booking.exam_type == exam_type]
    return any(
        booking.rebook_priority
        and booking.cancelled_at is not None
        and not any(other.created_at > booking.cancelled_at for other in same_exam)
        for booking in same_exam
    )


def refusal_to_move(
    booking: BookingFacts, slot: SlotFacts, history: Sequence[BookingFacts], now: datetime, policy: Policy
) -> Refusal | None:
    """May `booking` move to `slot`?"""
    if booking.status == BookingStatus.CONFIRMED and (refusal := refusal_to_change(booking.starts_at, now, policy)):
        return refusal
    if booking.reschedule_count >= policy.max_reschedules:
        return Refusal("reschedule-limit", {"count": policy.max_reschedules})
    if (slot.exam_type, slot.category) != (booking.exam_type, booking.category):
        return Refusal("category-mismatch")
    return refusal_to_book(slot, history, now, policy, moving=booking)


def refusal_to_cancel(booking: BookingFacts, now: datetime, policy: Policy) -> Refusal | None:
    """A hold can always be let go; a confirmed booking only until the cut-off."""
    if booking.status == BookingStatus.CONFIRMED:
        return refusal_to_change(booking.starts_at, now, policy)
    return None


@dataclass(frozen=True)
class _Results:
    """The applicant's exam results in one category, oldest first: (exam day, passed)."""

    theory: list[tuple[date, bool]]
    practical: list[tuple[date, bool]]

    @classmethod
    def of(cls, history: Sequence[BookingFacts], category: str) -> _Results:
        def results(exam_type: str) -> list[tuple[date, bool]]:
            return sorted(
                (booking.local_date, booking.status == BookingStatus.PASSED)
                for booking in history
                if booking.category == category
                and booking.exam_type == exam_type
                and booking.status in (BookingStatus.PASSED, BookingStatus.FAILED)
            )

        return cls(theory=results(ExamType.THEORY), practical=results(ExamType.PRACTICAL))

    def theory_passed_on(self) -> date | None:
        passes = [day for day, passed in self.theory if passed]
        return passes[-1] if passes else None

    def theory_voided_on(self) -> date | None:
        """The day of the third failed practical after the last theory pass, which cancelled it."""
        passed_on = self.theory_passed_on()
        if passed_on is None:
            return None
        failures = [day for day, passed in self.practical if not passed and day >= passed_on]
        return failures[THEORY_VOIDING_FAILURES - 1] if len(failures) >= THEORY_VOIDING_FAILURES else None


def _retake_from(results: list[tuple[date, bool]], since: date | None) -> date | None:
    """The first day a retake is allowed after the failures since `since` (None: no wait)."""
    failures = [day for day, passed in results if not passed and (since is None or day >= since)]
    if not failures:
        return None
    if len(failures) == 1:
        return next_working_day(failures[-1])
    return add_months(failures[-1], 1)


def _refusal_by_results(slot: SlotFacts, history: Sequence[BookingFacts]) -> Refusal | None:
    results = _Results.of(history, slot.category)
    passed_on, voided_on = results.theory_passed_on(), results.theory_voided_on()
    if slot.exam_type == ExamType.THEORY:
        if passed_on is not None and voided_on is None:
            return Refusal("already-passed")
        # Failures after the voiding count anew; before a voiding, only those since the last pass.
        waits = [_retake_from(results.theory, voided_on or passed_on)]
        if voided_on is not None:
            waits.append(add_months(voided_on, VOIDED_THEORY_WAIT_MONTHS))
    else:
        if any(passed for _, passed in results.practical):
            return Refusal("already-passed")
        if passed_on is None:
            return Refusal("theory-required")
        if voided_on is not None:
            return Refusal("theory-voided")
        waits = [_retake_from(results.practical, passed_on)]
    not_before = max((day for day in waits if day is not None), default=None)
    if not_before is not None and slot.local_date < not_before:
        return Refusal("retake-wait", not_before=not_before)
    return None


def _refusal_by_cooldown(
    slot: SlotFacts, history: Sequence[BookingFacts], now: datetime, policy: Policy
) -> Refusal | None:
    same_exam = [booking for booking in history if booking.exam_type == slot.exam_type]
    recent_cancellations = [
        booking.cancelled_at
        for booking in same_exam
        if booking.cancelled_at is not None and booking.cancelled_at > now - policy.cooldown
    ]
    # A cancellation within the cool-down that was already followed by a new booking used up the one.
    used = [
        cancelled_at
        for cancelled_at in recent_cancellations
        if any(booking.created_at > cancelled_at for booking in same_exam)
    ]
    if used:
        return Refusal("cooldown", {"days": policy.cooldown.days}, not_before=max(used) + policy.cooldown)
    return None
