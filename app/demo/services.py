"""Loading the demo data, idempotently (run it as often as you like)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import services as auth_services
from app.auth.iin import make_iin
from app.auth.models import Role, User
from app.centres.models import Centre
from app.core.clock import utcnow
from app.core.progress import Track, untracked
from app.demo.data import (
    ACCOUNTS,
    CENTRES,
    DEMO_PASSWORD,
    SLOT_CATEGORIES,
    SLOT_DAYS,
    SLOT_EXAMS,
    SLOT_PERIODS,
    SLOT_WEEKDAYS,
    STAFF_EMAIL,
)
from app.demo.exam_day import seed_exam_day
from app.demo.history import seed_history
from app.staff.models import SlotTemplate
from app.staff.schedule import generate_slots
from app.stats.rebuild import rebuild


@dataclass
class SeedSummary:
    centres_created: int = 0
    users_created: int = 0
    slots_created: int = 0
    history_bookings: int = 0
    exam_day_bookings: int = 0


def seed(session: Session, track: Track = untracked) -> SeedSummary:
    summary = SeedSummary()
    centres = {centre.code: centre for centre in session.scalars(select(Centre))}
    for values in track(CENTRES, "Demo centres"):
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
    for email, role, centre_code, full_name, birth, sex, serial, language in track(ACCOUNTS, "Demo accounts"):
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
    with_templates = set(session.scalars(select(SlotTemplate.centre_id)))
    for centre in centres.values():
        if centre.id not in with_templates:
            session.add_all(_templates(centre))
    session.flush()
    now = utcnow()
    for centre in track(list(centres.values()), "Demo exam slots"):
        summary.slots_created += generate_slots(session, now, SLOT_DAYS, centre)
    staff = session.scalar(select(User).where(User.email == STAFF_EMAIL))
    if staff is not None and staff.centre is not None:
        summary.exam_day_bookings = seed_exam_day(session, staff, now)
    # Past exams for the public statistics, then the statistics themselves (as the nightly job would).
    summary.history_bookings = seed_history(session, now)
    rebuild(session, now)
    return summary


def _templates(centre: Centre) -> list[SlotTemplate]:
    """The weekly plan of a demo centre (only for a centre without one: staff may have changed it)."""
    return [
        SlotTemplate(
            centre_id=centre.id,
            weekday=weekday,
            opens_at=opens_at,
            closes_at=closes_at,
            slot_minutes=minutes,
            capacity=capacity,
            exam_type=exam_type,
            categories=",".join(SLOT_CATEGORIES),
            valid_from=centre.local(utcnow()).date(),
        )
        for weekday in SLOT_WEEKDAYS
        for opens_at, closes_at in SLOT_PERIODS
        for exam_type, (capacity, minutes) in SLOT_EXAMS.items()
    ]
