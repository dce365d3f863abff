"""The booking rules as a table: slot, the applicant's bookings, time -> refusal (or none)."""

from datetime import UTC, date, datetime, timedelta
from itertools import count

import pytest

from app.booking.eligibility import (
    BookingFacts,
    Policy,
    SlotFacts,
    refusal_to_book,
    refusal_to_cancel,
    refusal_to_move,
)

NOW = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)  # Tuesday 1 December 2026, 09:00 in Almaty
POLICY = Policy()
_ids = count(1)


def at(day: date, hour: int = 9) -> datetime:
    """A time on `day` in Almaty (UTC+5), as UTC."""
    return datetime(day.year, day.month, day.day, hour - 5, tzinfo=UTC)


def slot(day: date, exam: str = "theory", category: str = "B", hour: int = 9) -> SlotFacts:
    return SlotFacts(exam_type=exam, category=category, starts_at=at(day, hour), local_date=day)


def booking(
    exam: str,
    status: str,
    day: date,
    *,
    category: str = "B",
    created: datetime | None = None,
    cancelled: datetime | None = None,
    hold_expires: datetime | None = None,
    moves: int = 0,
) -> BookingFacts:
    return BookingFacts(
        id=next(_ids),
        exam_type=exam,
        category=category,
        status=status,
        created_at=created or NOW - timedelta(days=30),
        starts_at=at(day),
        local_date=day,
        hold_expires_at=hold_expires,
        cancelled_at=cancelled,
        reschedule_count=moves,
    )


def passed_theory(day=date(2026, 11, 2), category="B"):
    return booking("theory", "passed", day, category=category)


def failed(exam, day, category="B"):
    return booking(exam, "failed", day, category=category)


D = date
BOOK_CASES = [
    # (description, slot, history, now, reason, not_before)
    ("a first theory exam", slot(D(2026, 12, 3)), [], NOW, None, None),
    ("in the past", slot(D(2026, 11, 30)), [], NOW, "slot-in-past", None),
    ("starting now", slot(D(2026, 12, 1)), [], NOW, "slot-in-past", None),
    ("within the 24 h cut-off", slot(D(2026, 12, 2), hour=8), [], NOW, "after-cutoff", None),
    ("just outside the cut-off", slot(D(2026, 12, 2), hour=9), [], NOW, None, None),
    ("beyond the booking window", slot(D(2027, 3, 5)), [], NOW, "outside-window", None),
    ("the window's last day", slot(D(2027, 3, 1)), [], NOW, None, None),
    (
        "holding another place",
        slot(D(2026, 12, 3), exam="practical"),
        [passed_theory(), booking("theory", "held", D(2026, 12, 10), hold_expires=NOW + timedelta(minutes=5))],
        NOW,
        "live-hold",
        None,
    ),
    (
        "an expired hold is no hold",
        slot(D(2026, 12, 3)),
        [booking("theory", "held", D(2026, 12, 10), hold_expires=NOW - timedelta(seconds=1))],
        NOW,
        None,
        None,
    ),
    (
        "a confirmed theory exam already",
        slot(D(2026, 12, 3)),
        [booking("theory", "confirmed", D(2026, 12, 10))],
        NOW,
        "already-booked",
        None,
    ),
    (
        "a confirmed theory exam does not block the practical",
        slot(D(2026, 12, 3), exam="practical"),
        [passed_theory(D(2026, 10, 1)), booking("theory", "confirmed", D(2026, 12, 10), category="C")],
        NOW,
        None,
        None,
    ),
    ("practical without theory", slot(D(2026, 12, 3), exam="practical"), [], NOW, "theory-required", None),
    (
        "practical with theory of another category",
        slot(D(2026, 12, 3), exam="practical", category="C"),
        [passed_theory(category="B")],
        NOW,
        "theory-required",
        None,
    ),
    ("practical after a passed theory", slot(D(2026, 12, 3), exam="practical"), [passed_theory()], NOW, None, None),
    ("theory passed already", slot(D(2026, 12, 3)), [passed_theory()], NOW, "already-passed", None),
    (
        "practical passed already",
        slot(D(2026, 12, 3), exam="practical"),
        [passed_theory(), booking("practical", "passed", D(2026, 11, 20))],
        NOW,
        "already-passed",
        None,
    ),
    (
        "first theory failure on Friday: not the weekend's end",
        slot(D(2026, 12, 4)),
        [failed("theory", D(2026, 12, 4))],
        NOW - timedelta(days=3),
        "retake-wait",
        D(2026, 12, 7),
    ),
    (
        "first theory failure on Friday: Monday is fine",
        slot(D(2026, 12, 7)),
        [failed("theory", D(2026, 11, 27))],
        NOW,
        None,
        None,
    ),
    (
        "first failure before Independence Day: the day after is a holiday",
        slot(D(2026, 12, 16)),
        [failed("theory", D(2026, 12, 15))],
        NOW,
        "retake-wait",
        D(2026, 12, 17),
    ),
    (
        "second theory failure: a month",
        slot(D(2026, 12, 28)),
        [failed("theory", D(2026, 11, 2)), failed("theory", D(2026, 11, 30))],
        NOW,
        "retake-wait",
        D(2026, 12, 30),
    ),
    (
        "second theory failure: a month later is fine",
        slot(D(2026, 12, 30)),
        [failed("theory", D(2026, 11, 2)), failed("theory", D(2026, 11, 30))],
        NOW,
        None,
        None,
    ),
    (
        "fourth theory failure still a month",
        slot(D(2026, 12, 15)),
        [failed("theory", D(2026, 8, 3)), failed("theory", D(2026, 9, 3)), failed("theory", D(2026, 11, 20))],
        NOW,
        "retake-wait",
        D(2026, 12, 20),
    ),
    (
        "failures in another category do not count",
        slot(D(2026, 12, 3), category="C"),
        [failed("theory", D(2026, 11, 30)), failed("theory", D(2026, 11, 16))],
        NOW,
        None,
        None,
    ),
    (
        "first practical failure: next working day",
        slot(D(2026, 12, 2), exam="practical", hour=15),
        [passed_theory(), failed("practical", D(2026, 12, 2))],
        NOW - timedelta(days=1),
        "retake-wait",
        D(2026, 12, 3),
    ),
    (
        "second practical failure: a month",
        slot(D(2026, 12, 21), exam="practical"),
        [passed_theory(D(2026, 10, 1)), failed("practical", D(2026, 10, 20)), failed("practical", D(2026, 11, 25))],
        NOW,
        "retake-wait",
        D(2026, 12, 25),
    ),
    (
        "practical failures before a new theory pass do not count",
        slot(D(2026, 12, 3), exam="practical"),
        [
            failed("practical", D(2026, 6, 1)),
            failed("practical", D(2026, 7, 1)),
            failed("practical", D(2026, 8, 3)),
            passed_theory(D(2026, 11, 2)),
        ],
        NOW,
        None,
        None,
    ),
    (
        "third practical failure voids the theory pass",
        slot(D(2027, 2, 1), exam="practical"),
        [
            passed_theory(D(2026, 9, 1)),
            failed("practical", D(2026, 9, 15)),
            failed("practical", D(2026, 10, 16)),
            failed("practical", D(2026, 11, 20)),
        ],
        NOW,
        "theory-voided",
        None,
    ),
    (
        "voided theory: retake only two months after the third failure",
        slot(D(2027, 1, 19)),
        [
            passed_theory(D(2026, 9, 1)),
            failed("practical", D(2026, 9, 15)),
            failed("practical", D(2026, 10, 16)),
            failed("practical", D(2026, 11, 20)),
        ],
        NOW,
        "retake-wait",
        D(2027, 1, 20),
    ),
    (
        "voided theory: two months later is fine",
        slot(D(2027, 1, 20)),
        [
            passed_theory(D(2026, 9, 1)),
            failed("practical", D(2026, 9, 15)),
            failed("practical", D(2026, 10, 16)),
            failed("practical", D(2026, 11, 20)),
        ],
        NOW,
        None,
        None,
    ),
    (
        "after a cancellation one new booking is fine",
        slot(D(2026, 12, 3)),
        [booking("theory", "cancelled", D(2026, 12, 10), cancelled=NOW - timedelta(days=1))],
        NOW,
        None,
        None,
    ),
    (
        "after a cancellation and a new booking: wait for the cool-down",
        slot(D(2026, 12, 3)),
        [
            booking("theory", "cancelled", D(2026, 12, 10), cancelled=NOW - timedelta(days=3)),
            booking(
                "theory",
                "cancelled",
                D(2026, 12, 11),
                created=NOW - timedelta(days=2),
                cancelled=NOW - timedelta(days=1),
            ),
        ],
        NOW,
        "cooldown",
        NOW + timedelta(days=7),
    ),
    (
        "the cool-down is over",
        slot(D(2026, 12, 3)),
        [
            booking("theory", "cancelled", D(2026, 12, 10), cancelled=NOW - timedelta(days=11)),
            booking(
                "theory",
                "expired",
                D(2026, 12, 11),
                created=NOW - timedelta(days=10, hours=1),
            ),
        ],
        NOW,
        None,
        None,
    ),
    (
        "a cancelled practical does not limit the theory",
        slot(D(2026, 12, 3)),
        [
            booking("practical", "cancelled", D(2026, 12, 10), cancelled=NOW - timedelta(days=3)),
            booking("practical", "expired", D(2026, 12, 11), created=NOW - timedelta(days=2)),
        ],
        NOW,
        None,
        None,
    ),
]


@pytest.mark.parametrize(
    ("slot_facts", "history", "now", "reason", "not_before"),
    [case[1:] for case in BOOK_CASES],
    ids=[case[0] for case in BOOK_CASES],
)
def test_refusal_to_book(slot_facts, history, now, reason, not_before):
    refusal = refusal_to_book(slot_facts, history, now, POLICY)
    assert (refusal.reason if refusal else None) == reason
    assert (refusal.not_before if refusal else None) == not_before


CONFIRMED = booking("theory", "confirmed", D(2026, 12, 3))
MOVE_CASES = [
    ("to another day", CONFIRMED, slot(D(2026, 12, 7)), NOW, None),
    ("the old exam within the cut-off", CONFIRMED, slot(D(2026, 12, 7)), at(D(2026, 12, 2), 10), "after-cutoff"),
    ("the new time within the cut-off", CONFIRMED, slot(D(2026, 12, 2), hour=8), NOW, "after-cutoff"),
    ("to another category", CONFIRMED, slot(D(2026, 12, 7), category="C"), NOW, "category-mismatch"),
    ("to the other exam", CONFIRMED, slot(D(2026, 12, 7), exam="practical"), NOW, "category-mismatch"),
    (
        "after two moves",
        booking("theory", "confirmed", D(2026, 12, 3), moves=2),
        slot(D(2026, 12, 7)),
        NOW,
        "reschedule-limit",
    ),
    (
        "a hold may move even close to its exam",
        booking("theory", "held", D(2026, 12, 2), hold_expires=NOW + timedelta(minutes=5)),
        slot(D(2026, 12, 7)),
        at(D(2026, 12, 1), 12),
        None,
    ),
]


@pytest.mark.parametrize(
    ("moving", "target", "now", "reason"), [case[1:] for case in MOVE_CASES], ids=[case[0] for case in MOVE_CASES]
)
def test_refusal_to_move(moving, target, now, reason):
    # The booking being moved is in the history: it must not count against itself.
    refusal = refusal_to_move(moving, target, [moving], now, POLICY)
    assert (refusal.reason if refusal else None) == reason


@pytest.mark.parametrize(
    ("status", "now", "reason"),
    [
        ("confirmed", NOW, None),
        ("confirmed", at(D(2026, 12, 2), 9), None),
        ("confirmed", at(D(2026, 12, 2), 10), "after-cutoff"),
        ("confirmed", at(D(2026, 12, 3), 10), "slot-in-past"),
        ("held", at(D(2026, 12, 2), 10), None),
    ],
)
def test_refusal_to_cancel(status, now, reason):
    refusal = refusal_to_cancel(booking("theory", status, D(2026, 12, 3)), now, POLICY)
    assert (refusal.reason if refusal else None) == reason


def test_policy_reads_the_configuration():
    policy = Policy.from_config(
        {
            "HOLD_TTL_SECONDS": 60,
            "WAITLIST_HOLD_TTL_SECONDS": 600,
            "BOOKING_CHANGE_CUTOFF_HOURS": 48,
            "BOOKING_MAX_RESCHEDULES": 1,
            "BOOKING_COOLDOWN_DAYS": 5,
            "BOOKING_WINDOW_DAYS": 30,
            "BOOKING_DAILY_HOLD_LIMIT": 3,
        }
    )
    assert policy == Policy(
        hold_ttl=timedelta(minutes=1),
        waitlist_hold_ttl=timedelta(minutes=10),
        change_cutoff=timedelta(hours=48),
        max_reschedules=1,
        cooldown=timedelta(days=5),
        window=timedelta(days=30),
        daily_holds=3,
    )
    assert refusal_to_book(slot(D(2026, 12, 2), hour=10), [], NOW, policy).reason == "after-cutoff"
