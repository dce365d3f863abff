"""Loading the demo data, idempotently (run it as often as you like)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import services as auth_services
from app.auth.iin import make_iin
from app.auth.models import Role, User
from app.booking.models import Centre
from app.booking.services import SlotSpec, add_missing_slots
from app.core.clock import utcnow
from app.core.working_days import is_working_day
from app.demo.data import (
    ACCOUNTS,
    CENTRES,
    DEMO_PASSWORD,
    SLOT_CATEGORIES,
    SLOT_DAYS,
    SLOT_EXAMS,
    SLOT_HOURS,
)


@dataclass
class SeedSummary:
    centres_created: int = 0
    users_created: int = 0
    slots_created: int = 0


def seed(session: Session) -> SeedSummary:
    summary = SeedSummary()
    centres = {centre.code: centre for centre in session.scalars(select(Centre))}
    for values in CENTRES:
        if values["code"] not in centres:
            centre = Centre(**values)
            session.add(centre)
            centres[centre.code] = centre
            summary.centres_created += 1
        elif not centres[values["code"]].opening_hours_en:  # centres seeded before opening hours existed
            for language in ("kk", "ru", "en"):
                setattr(centres[values["code"]], f"opening_hours_{language}", values[f"opening_hours_{language}"])
    session.flush()
    existing = set(session.scalars(select(User.email)))
    for email, role, centre_code, full_name, birth, sex, serial, language in ACCOUNTS:
        if email in existing:
            continue
        auth_services.register_user(
            session,
            auth_services.Registration(
                email=email,
                password=DEMO_PASSWORD,
                full_name=full_name,
                iin=make_iin(birth, sex, serial),
                language=language,
            ),
            role=Role(role),
            centre=centres.get(centre_code) if centre_code else None,
        )
        summary.users_created += 1
    summary.slots_created = add_missing_slots(session, [spec for centre in centres.values() for spec in _slots(centre)])
    return summary


def _slots(centre: Centre) -> list[SlotSpec]:
    today = centre.local(utcnow()).date()
    specs = []
    for offset in range(SLOT_DAYS):
        day = today + timedelta(days=offset)
        if not is_working_day(day):
            continue
        for hour in SLOT_HOURS:
            starts_at = datetime.combine(day, time(hour), centre.zone)
            for exam_type, (capacity, minutes) in SLOT_EXAMS.items():
                specs.extend(
                    SlotSpec(
                        centre.id, exam_type, category, starts_at, starts_at + timedelta(minutes=minutes), capacity
                    )
                    for category in SLOT_CATEGORIES
                )
    return specs
