"""A generated exam history for the statistics tests, and the figures computed from it directly in
Python (the reference the set-based rebuild is checked against)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime

import sqlalchemy as sa

from app.booking.models import Booking, Slot
from app.demo.history import seed_history
from app.extensions import db
from app.stats.rebuild import EXPECTED, RESULTS, ROSTER, SAT
from tests.conftest import make_centre

# Mid-month, so that the generated months are whole and the current one has begun.
HISTORY_NOW = datetime(2026, 11, 18, 6, 0, tzinfo=UTC)


def build_history(app, months: int = 3, codes: tuple[str, ...] = ("ALM", "ALX")) -> None:
    for code in codes:
        make_centre(app, code)
    with app.app_context():
        seed_history(db.session, HISTORY_NOW, months=months, seed=7)
        db.session.commit()


def _month(slot: Slot) -> date:
    return slot.local_starts_at.date().replace(day=1)


def direct_counts(session, now: datetime) -> dict[tuple, dict]:
    """Every cell's counts, one booking at a time."""
    cells: dict[tuple, Counter] = defaultdict(Counter)
    waits: dict[tuple, Counter] = defaultdict(Counter)
    for slot in session.scalars(sa.select(Slot)):
        if slot.starts_at <= now:
            key = (slot.centre_id, slot.exam_type, slot.category, _month(slot))
            if slot.blocked_at is None:
                cells[key]["offered"] += slot.capacity
            else:
                cells[key]["slots_blocked"] += 1
    bookings = [b for b in session.scalars(sa.select(Booking)) if b.slot.starts_at <= now]
    everyone = sorted(session.scalars(sa.select(Booking)), key=lambda b: (b.slot.starts_at, b.id))
    first_ids, seen = set(), set()
    for booking in everyone:
        person = (booking.user_id, booking.exam_type, booking.category)
        if booking.status in RESULTS and person not in seen:
            seen.add(person)
            first_ids.add(booking.id)
    for booking in bookings:
        slot, status = booking.slot, booking.status
        key = (slot.centre_id, slot.exam_type, slot.category, _month(slot))
        counts = cells[key]
        counts["booked"] += status in ROSTER and slot.blocked_at is None
        counts["cancelled_by_centre"] += status == "cancelled" and booking.rebook_priority
        counts["sat"] += status in SAT
        counts["results"] += status in RESULTS
        counts["passed"] += status == "passed"
        counts["first_results"] += booking.id in first_ids
        counts["first_passed"] += booking.id in first_ids and status == "passed"
        counts["expected"] += status in EXPECTED
        counts["no_shows"] += status == "no-show"
        if status in ROSTER:
            counts["waited"] += 1
            waits[key][str(int((slot.starts_at - booking.created_at).total_seconds() // 86400))] += 1
    return {key: {**counts, "wait_histogram": dict(waits[key])} for key, counts in cells.items()}
