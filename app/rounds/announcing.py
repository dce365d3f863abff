"""Announcing fair-release rounds: which slots join, when requests open, when the draw is; editing
before the opening; cancelling before the draw; the rounds people see listed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.auth.models import User
from app.booking.models import LICENCE_CATEGORIES, ExamType, Slot
from app.centres.models import Centre
from app.core.errors import DomainError, FieldErrors
from app.core.locking import lock
from app.notify.services import queue_messages
from app.rounds import lottery
from app.rounds.models import Phase, ReleaseRound, RoundRequest, RoundStatus

DEFAULT_WINDOW = timedelta(minutes=30)  # from the opening to the draw, unless staff choose otherwise


@dataclass(frozen=True)
class RoundPlan:
    """What staff (or `flask rounds create`) ask for: the slots of `first_day`..`last_day` (the
    centre's days) for one exam and category, requests from `opens_at` until `draw_at`."""

    exam_type: str
    category: str
    first_day: date
    last_day: date
    opens_at: datetime
    draw_at: datetime | None = None

    @property
    def draw_time(self) -> datetime:
        return self.draw_at or self.opens_at + DEFAULT_WINDOW


def _check_times(opens_at: datetime, draw_at: datetime, now: datetime) -> None:
    errors: dict[str, list] = {}
    if draw_at <= opens_at:
        errors["draw_at"] = [_l("The draw must come after the opening.")]
    if draw_at <= now:
        errors.setdefault("draw_at", []).append(_l("The draw must be in the future."))
    if errors:
        raise FieldErrors(errors)


def _check_plan(plan: RoundPlan, now: datetime) -> None:
    errors: dict[str, list] = {}
    if plan.exam_type not in {exam.value for exam in ExamType}:
        errors["exam_type"] = [_l("Choose the theory or the practical exam.")]
    if plan.category not in LICENCE_CATEGORIES:
        errors["category"] = [_l("Choose a licence category.")]
    if plan.last_day < plan.first_day or (plan.last_day - plan.first_day).days > 62:
        errors["last_day"] = [_l("The last day must be on or after the first, at most 62 days later.")]
    if errors:
        raise FieldErrors(errors)
    _check_times(plan.opens_at, plan.draw_time, now)


def joinable_slots(centre: Centre, first_day: date, end_day: date, draw_at: datetime) -> tuple:
    """The centre's slots that can join a round, as conditions: from `first_day` up to (not
    including) `end_day` in the centre's days, after the draw, not blocked, in no other round,
    with a free place."""
    start = datetime.combine(first_day, time.min, centre.zone)
    end = datetime.combine(end_day, time.min, centre.zone)
    return (
        Slot.centre_id == centre.id,
        Slot.starts_at >= max(start, draw_at),
        Slot.starts_at < end,
        Slot.blocked_at.is_(None),
        Slot.round_id.is_(None),
        Slot.booked < Slot.capacity,
    )


def _period_slots(centre: Centre, plan: RoundPlan, draw_at: datetime) -> tuple:
    """The slots of the plan's exam and category that can join (`joinable_slots`) in its period."""
    return (
        *joinable_slots(centre, plan.first_day, plan.last_day + timedelta(days=1), draw_at),
        Slot.exam_type == plan.exam_type,
        Slot.category == plan.category,
    )


def announce(
    session: Session,
    centre: Centre,
    plan: RoundPlan,
    now: datetime,
    actor: User | None = None,
    *,
    policy_week: date | None = None,
) -> ReleaseRound:
    """Create the round with a fresh secret seed (only its hash is shown) and hold its slots back.
    `policy_week`: the week a release policy announces (unique per centre, exam and category)."""
    _check_plan(plan, now)
    seed = lottery.new_seed()
    release = ReleaseRound(
        centre=centre,
        exam_type=plan.exam_type,
        category=plan.category,
        opens_at=plan.opens_at,
        draw_at=plan.draw_time,
        seed=seed,
        seed_sha256=lottery.commitment(seed),
        created_at=now,
        created_by_id=actor.id if actor is not None else None,
        policy_week=policy_week,
    )
    session.add(release)
    session.flush()
    # One conditional UPDATE: a slot booked full or taken by another round meanwhile is not taken.
    joined = session.execute(
        update(Slot)
        .where(*_period_slots(centre, plan, plan.draw_time))
        .values(round_id=release.id, release_pending=False)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not joined:
        raise DomainError(
            _l("No exam times with free places in that period can join a round."), code="no-slots", status=422
        )
    return release


def round_closed() -> DomainError:
    return DomainError(_l("Requests for this round are not open now."), code="round-closed", status=409)


def edit(session: Session, release: ReleaseRound, opens_at: datetime, draw_at: datetime, now: datetime) -> ReleaseRound:
    """New opening and draw times, only while requests have not opened yet."""
    lock(session, release, "status", "opens_at")
    if release.phase(now) != Phase.UPCOMING:
        raise DomainError(_l("A round can be changed only before requests open."), code="round-opened", status=409)
    _check_times(opens_at, draw_at, now)
    first_start = session.scalar(select(func.min(Slot.starts_at)).where(Slot.round_id == release.id))
    if first_start is not None and draw_at >= first_start:
        raise FieldErrors({"draw_at": [_l("The draw must come before the round's first exam.")]})
    release.opens_at, release.draw_at = opens_at, draw_at
    return release


def cancel(session: Session, release: ReleaseRound, now: datetime) -> ReleaseRound:
    """Call the round off before its draw: its places become bookable as usual (first come, first served)."""
    lock(session, release, "status")
    if release.status != RoundStatus.ANNOUNCED:
        raise DomainError(_l("This round has already been drawn or cancelled."), code="round-finished", status=409)
    release.status = RoundStatus.CANCELLED.value
    release.cancelled_at = now
    release_slots(session, release)
    _tell_requesters(session, release)
    return release


def _tell_requesters(session: Session, release: ReleaseRound) -> None:
    """A "round-cancelled" message to every requester, in one statement; once each (the round is
    cancelled once under its lock, and the key per request makes any second attempt queue nothing)."""
    requests = session.execute(
        select(RoundRequest.id, RoundRequest.user_id).where(RoundRequest.round_id == release.id)
    ).all()
    payload = {"round_id": release.id, "centre": release.centre.code}
    rows = [
        {
            "kind": "round-cancelled",
            "user_id": user_id,
            "payload": payload,
            "dedupe_key": f"round-cancelled:{request_id}",
        }
        for request_id, user_id in requests
    ]
    queue_messages(session, rows, once_per="key")


def release_slots(session: Session, release: ReleaseRound) -> None:
    """The round's slots are bookable as usual again (after its draw, or when it is called off)."""
    held_back = update(Slot).where(Slot.round_id == release.id).values(round_id=None)
    session.execute(held_back.execution_options(synchronize_session=False))


# --- reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundFigures:
    round: ReleaseRound
    places: int
    requests: int


def round_slots(session: Session, release: ReleaseRound) -> list[Slot]:
    """The round's slots: held back until the draw, then those it published."""
    if release.places is not None:
        ids = [int(key) for key in release.places]
        condition = Slot.id.in_(ids) if ids else Slot.id.is_(None)
    else:
        condition = Slot.round_id == release.id
    return list(session.scalars(select(Slot).where(condition).order_by(Slot.starts_at, Slot.id)))


def figures(session: Session, release: ReleaseRound) -> RoundFigures:
    if release.places is not None:
        places = sum(release.places.values())
    else:
        places = session.scalar(
            select(func.coalesce(func.sum(Slot.capacity - Slot.booked), 0)).where(Slot.round_id == release.id)
        )
    requests = session.scalar(select(func.count()).select_from(RoundRequest).where(RoundRequest.round_id == release.id))
    return RoundFigures(release, int(places), int(requests))


def listing(
    session: Session,
    *,
    centre: Centre | None = None,
    exam_type: str | None = None,
    category: str | None = None,
    since: datetime | None = None,
) -> list[ReleaseRound]:
    """Rounds, the next draw first; `since`: only those drawn (or due) after it."""
    query = select(ReleaseRound)
    if centre is not None:
        query = query.where(ReleaseRound.centre_id == centre.id)
    if exam_type:
        query = query.where(ReleaseRound.exam_type == exam_type)
    if category:
        query = query.where(ReleaseRound.category == category)
    if since is not None:
        query = query.where(ReleaseRound.draw_at >= since)
    return list(session.scalars(query.order_by(ReleaseRound.draw_at.desc(), ReleaseRound.id.desc()).limit(200)))


def round_not_found() -> DomainError:
    return DomainError(_l("There is no such round."), code="round-not-found", status=404)


def find_round(session: Session, round_id: int) -> ReleaseRound:
    release = session.get(ReleaseRound, round_id)
    if release is None:
        raise round_not_found()
    return release
