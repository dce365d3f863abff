"""What keeps a person from booking an exam, shown on the calendar before they click: the rules of
`eligibility` asked about a place they could otherwise book (the first of the period, else one just
past the change cut-off), and why a time is not bookable now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import format_date
from flask_babel import gettext as _

from app.booking.availability import SlotAvailability
from app.booking.eligibility import BookingFacts, BookingWindow, Policy, SlotFacts, has_priority, refusal_to_book
from app.booking.models import ACTIVE_STATUSES
from app.centres.models import Centre


@dataclass(frozen=True)
class Blocker:
    message: str
    booking_id: int | None = None  # the booking in the way, to link to


@dataclass(frozen=True)
class Standing:
    blocker: Blocker | None
    priority: bool  # a centre's cancellation entitles to a priority rebooking of this exam


def standing(
    history: list[BookingFacts], centre: Centre, exam: tuple[str, str], now: datetime, policy: Policy
) -> Standing:
    """`history`: the person's `booking_history`; `exam`: the exam type and licence category looked at."""
    exam_type, category = exam
    priority = has_priority(exam_type, history)
    starts = policy.booking_open(now, priority=priority).opens + timedelta(hours=1)
    probe = SlotFacts(exam_type, category, starts, centre.local(starts).date())
    refusal = refusal_to_book(probe, history, now, policy)
    if refusal is None or refusal.reason in ("slot-in-past", "after-cutoff", "outside-window"):
        return Standing(None, priority)
    in_the_way = None
    if refusal.reason in ("live-hold", "already-booked"):
        in_the_way = next(
            (
                b.id
                for b in sorted(history, key=lambda b: b.created_at, reverse=True)
                if b.status in ACTIVE_STATUSES and (refusal.reason == "live-hold" or b.exam_type == exam_type)
            ),
            None,
        )
    return Standing(Blocker(refusal.message, in_the_way), priority)


def closed_reason(item: SlotAvailability, window: BookingWindow, now: datetime, policy: Policy) -> str:
    """Why a time that is not blocked cannot be booked now."""
    starts = item.slot.starts_at
    if starts <= now:
        return _("This time has passed.")
    if starts < window.opens:
        hours = int(policy.change_cutoff.total_seconds() // 3600)
        return _("Too close: booking closes %(hours)s hours before the exam.", hours=hours)
    if starts > window.closes:
        opens = item.slot.centre.local(starts - policy.window).date()
        return _("Opens for booking on %(date)s.", date=format_date(opens, "long"))
    return ""
