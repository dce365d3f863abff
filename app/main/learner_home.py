"""What a signed-in learner sees first: how ready they are, their progress per topic, what to
study next, their next exam booking and their latest trial-exam results. Read-only, a handful of
statements whatever the history's length."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from app.auth.models import User
from app.booking.models import ACTIVE_STATUSES, Booking, Slot
from app.exam import finishing, profiles, readiness_estimate
from app.exam.models import Attempt, ExamProfile

RECENT_RESULTS = 5


@dataclass(frozen=True)
class LearnerHome:
    profile: ExamProfile | None
    readiness: readiness_estimate.Readiness | None
    next_booking: Booking | None
    results: list[Attempt]


def _profile(all_profiles: list[ExamProfile], results: list[Attempt]) -> ExamProfile | None:
    """The category of the latest trial exam, else B, else the first one."""
    wanted = results[0].profile.code if results else "B"
    return next((p for p in all_profiles if p.code == wanted), all_profiles[0] if all_profiles else None)


def next_booking(session: Session, user: User, now: datetime) -> Booking | None:
    return session.scalar(
        select(Booking)
        .join(Booking.slot)
        .options(contains_eager(Booking.slot))
        .where(Booking.user_id == user.id, Booking.status.in_(ACTIVE_STATUSES), Slot.starts_at > now)
        .order_by(Slot.starts_at)
        .limit(1)
    )


def learner_home(session: Session, user: User, now: datetime) -> LearnerHome:
    results = finishing.history(session, user.id, limit=RECENT_RESULTS)
    profile = _profile(profiles.all_profiles(session), results)
    ready = readiness_estimate.readiness(session, user.id, profile, now) if profile else None
    return LearnerHome(profile, ready, next_booking(session, user, now), results)
