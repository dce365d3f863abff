"""Past months of exams for the demo centres, so that the public statistics have something to show:
applicants (accounts that cannot sign in), their bookings with results, retakes, no-shows, people
not admitted, a closure and a blocked exam time with the bookings it cancelled.

Random but repeatable (a seeded generator); added once (skipped when its accounts exist). Rare
licence categories get fewer than 10 people a month on purpose: the pages show them as too few."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from app.auth.iin import make_iin
from app.auth.models import Role, User
from app.booking.models import Booking, BookingStatus, Slot
from app.centres.models import Centre
from app.core.i18n import LANGUAGES
from app.staff.models import CentreClosure

HISTORY_DOMAIN = "history.demo.kezek.kz"
# People per centre and month, by exam and licence category.
VOLUMES = {
    "theory": {"B": 32, "A": 12, "C": 6, "BE": 3},
    "practical": {"B": 24, "A": 10, "C": 4},
}
CAPACITY = {"theory": 12, "practical": 4}
WAIT_DAYS = (1, 45)
RETAKE_SHARE = 0.6
S = BookingStatus


@dataclass
class _Plan:
    """The rows to insert (people, slots and bookings refer to each other by position), and who will
    retake an exam next month. Inserted in three statements at the end: thousands of ORM objects
    would make `flask demo seed` seconds slower."""

    rng: random.Random
    password_hash: str
    people: list[dict] = field(default_factory=list)
    slots: list[dict] = field(default_factory=list)
    bookings: list[dict] = field(default_factory=list)
    retakers: dict[tuple[int, str, str], list[int]] = field(default_factory=dict)


def _new_person(plan: _Plan) -> int:
    index = len(plan.people)
    plan.people.append(
        {
            "email": f"applicant{index}@{HISTORY_DOMAIN}",
            "password_hash": plan.password_hash,
            "full_name": f"Demo applicant {index}",
            "iin": make_iin(date(1971, 1, 1) + timedelta(days=index // 900), "male", 10 * (index % 900)),
            "role": Role.USER.value,
            "language": plan.rng.choice(LANGUAGES),
        }
    )
    return index


def _new_slot(plan: _Plan, centre: Centre, exam: str, category: str, starts_at: datetime, **values) -> int:
    plan.slots.append(
        {
            "centre_id": centre.id,
            "exam_type": exam,
            "category": category,
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=1),
            "capacity": CAPACITY[exam],
            "created_at": starts_at - timedelta(days=60),
            "blocked_at": None,
            "blocked_reason": None,
            **values,
        }
    )
    return len(plan.slots) - 1


def _working_days(month: date, closed: set[date]) -> list[date]:
    days = [month + timedelta(days=offset) for offset in range(2, 27)]
    return [day for day in days if day.weekday() < 5 and day not in closed]


def _outcome(rng: random.Random, exam: str, retake: bool) -> str:
    draw = rng.random()
    if draw < 0.07:
        return S.NO_SHOW.value
    if draw < 0.10:
        return S.REFUSED.value
    pass_share = (0.6 if exam == "theory" else 0.5) + (0.1 if retake else 0)
    return (S.PASSED if rng.random() < pass_share else S.FAILED).value


def _month_of_exams(plan: _Plan, centre: Centre, month: date, closed: set[date]) -> None:
    rng, days = plan.rng, _working_days(month, closed)
    for exam, categories in VOLUMES.items():
        for category, volume in categories.items():
            key = (centre.id, exam, category)
            people = [(person, True) for person in plan.retakers.pop(key, [])]
            people += [(_new_person(plan), False) for _ in range(max(0, volume + rng.randint(-2, 2)))]
            rng.shuffle(people)
            retakers = []
            groups = [people[start : start + CAPACITY[exam]] for start in range(0, len(people), CAPACITY[exam])]
            times = rng.sample([(day, hour) for day in days for hour in range(9, 17)], len(groups))
            for group, (day, hour) in zip(groups, times, strict=True):
                starts_at = datetime.combine(day, time(hour), centre.zone)
                slot = _new_slot(plan, centre, exam, category, starts_at, booked=len(group))
                for person, retake in group:
                    status = _outcome(rng, exam, retake)
                    created = starts_at - timedelta(days=rng.randint(*WAIT_DAYS), hours=rng.randint(0, 12))
                    plan.bookings.append(_booking(plan, person, slot, status, created))
                    if status == S.FAILED and rng.random() < RETAKE_SHARE:
                        retakers.append(person)
            plan.retakers[key] = retakers


def _booking(plan: _Plan, person: int, slot: int, status: str, created: datetime) -> dict:
    exam, category, starts_at = (plan.slots[slot][name] for name in ("exam_type", "category", "starts_at"))
    examined = status in (S.PASSED, S.FAILED)
    return {
        "user_id": person,
        "slot_id": slot,
        "exam_type": exam,
        "category": category,
        "status": status,
        "consent_at": created,
        "fee_receipt": "KZ-DEMO",
        "created_at": created,
        "confirmed_at": created + timedelta(minutes=5),
        "checked_in_at": starts_at if status in (S.PASSED, S.FAILED, S.REFUSED) else None,
        "result_at": starts_at + timedelta(hours=1) if examined else None,
        "score": (34 if status == S.PASSED else 27) if examined and exam == "theory" else None,
        "cancelled_at": None,
        "rebook_priority": False,
    }


def _blocked_time(plan: _Plan, centre: Centre, day: date, reason: str) -> None:
    """An exam time the centre blocked (a breakdown): its bookings cancelled with priority rebooking."""
    starts_at = datetime.combine(day, time(17), centre.zone)  # after the generated times
    blocked_at = starts_at - timedelta(hours=3)
    slot = _new_slot(plan, centre, "theory", "B", starts_at, booked=0, blocked_at=blocked_at, blocked_reason=reason)
    for _ in range(plan.rng.randint(3, 8)):
        booking = _booking(plan, _new_person(plan), slot, S.CANCELLED.value, starts_at)
        booking.update(created_at=starts_at - timedelta(days=9), cancelled_at=blocked_at, rebook_priority=True)
        plan.bookings.append(booking)


def _insert(session: Session, plan: _Plan) -> None:
    """People and slots first (their ids, in the order given), then the bookings that refer to them."""
    user_ids = session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), plan.people).all()
    slot_ids = session.scalars(insert(Slot).returning(Slot.id, sort_by_parameter_order=True), plan.slots).all()
    rows = [{**row, "user_id": user_ids[row["user_id"]], "slot_id": slot_ids[row["slot_id"]]} for row in plan.bookings]
    session.execute(insert(Booking), rows)


def seed_history(session: Session, now: datetime, months: int = 6, seed: int = 2026) -> int:
    """Add `months` past months of exams at every centre; returns the bookings added (0: already there)."""
    if session.scalar(select(User.id).where(User.email.like(f"%@{HISTORY_DOMAIN}")).limit(1)) is not None:
        return 0
    # Nobody signs in with these accounts: a random password nobody knows (a cheap hash suffices).
    plan = _Plan(
        random.Random(seed),  # noqa: S311 (demo data, not secrets)
        generate_password_hash(secrets.token_urlsafe(32), "pbkdf2:sha256:1000"),
    )
    centres = list(session.scalars(select(Centre).order_by(Centre.code)))
    first = now.date().replace(day=1)
    past = []
    for _ in range(months):
        first = (first - timedelta(days=1)).replace(day=1)
        past.insert(0, first)
    for index, centre in enumerate(centres):
        for number, month in enumerate(past):
            closed: set[date] = set()
            if (index + number) % 4 == 1:  # now and then a centre closes for a day or two
                first_day = _working_days(month, set())[10 + index % 4]
                last_day = first_day + timedelta(days=index % 2)
                session.add(
                    CentreClosure(
                        centre_id=centre.id,
                        first_day=first_day,
                        last_day=last_day,
                        reason=_reason(index),
                        created_at=now,
                    )
                )
                closed = {first_day, last_day}
            _month_of_exams(plan, centre, month, closed)
            if (index + number) % 5 == 2:
                _blocked_time(plan, centre, _working_days(month, closed)[-1], _reason(index + 1))
    _insert(session, plan)
    return len(plan.bookings)


def _reason(index: int) -> str:
    return (
        "Repairs in the theory exam hall",
        "The examination vehicle broke down",
        "Computers of the theory hall out of order",
        "Examiners at training",
    )[index % 4]
