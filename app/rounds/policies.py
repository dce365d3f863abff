"""Per-centre release policies: "every Monday 10:00, the week four weeks ahead goes out as a round".

A policy names a weekday and a local time (the centre's zone), how many weeks ahead the week it
announces lies, and the request window. The scheduler's job (`announce_due`) announces, at each
occurrence, one round per exam type and category with free places in that week (Monday to Sunday,
centre's calendar); the unique key (centre, exam, category, week) makes two schedulers, or the job
run twice, announce it once. Until then the slots the generator made for the weeks a policy will
announce are held back (`slot.release_pending`): nobody can book them first come, first served
ahead of the lottery.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth.models import User
from app.booking.models import Slot
from app.centres.models import Centre
from app.core.errors import DomainError, FieldErrors
from app.rounds import announcing
from app.rounds.models import ReleasePolicy, ReleaseRound

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Schedule:
    weekday: int  # 0 Monday … 6 Sunday
    minute_of_day: int  # the local time of the announcement, in minutes after midnight
    weeks_ahead: int = 4
    window_minutes: int = 30
    enabled: bool = True


def check_schedule(schedule: Schedule) -> None:
    errors: dict[str, list] = {}
    if not 0 <= schedule.weekday <= 6:
        errors["weekday"] = [_l("Choose a day of the week.")]
    if not 0 <= schedule.minute_of_day < 24 * 60:
        errors["local_time"] = [_l("Give a time of day.")]
    if not 1 <= schedule.weeks_ahead <= 12:
        errors["weeks_ahead"] = [_l("The week announced must be 1 to 12 weeks ahead.")]
    if not 5 <= schedule.window_minutes <= 1440:
        errors["window_minutes"] = [_l("Requests must stay open 5 to 1440 minutes (a day).")]
    if errors:
        raise FieldErrors(errors)


# --- when ------------------------------------------------------------------------------------------


def _at(day: date, minute_of_day: int, zone: ZoneInfo) -> datetime:
    local = datetime.combine(day, time(minute_of_day // 60, minute_of_day % 60), zone)
    return local.astimezone(UTC)


def latest_occurrence(schedule: Schedule, zone: ZoneInfo, now: datetime) -> datetime:
    """The last moment at or before `now` when the policy was due (UTC), counted on the centre's
    calendar and clock."""
    today = now.astimezone(zone).date()
    day = today - timedelta(days=(today.weekday() - schedule.weekday) % 7)
    moment = _at(day, schedule.minute_of_day, zone)
    return moment if moment <= now else _at(day - WEEK, schedule.minute_of_day, zone)


def next_occurrence(schedule: Schedule, zone: ZoneInfo, now: datetime) -> datetime:
    latest = latest_occurrence(schedule, zone, now)
    return _at(latest.astimezone(zone).date() + WEEK, schedule.minute_of_day, zone)


def covered_week(schedule: Schedule, zone: ZoneInfo, occurrence: datetime) -> date:
    """The Monday of the week the occurrence announces: `weeks_ahead` weeks after its own week."""
    day = occurrence.astimezone(zone).date()
    return day - timedelta(days=day.weekday()) + schedule.weeks_ahead * WEEK


def schedule_of(policy: ReleasePolicy) -> Schedule:
    return Schedule(
        policy.weekday, policy.minute_of_day, policy.weeks_ahead, policy.window_minutes, bool(policy.enabled)
    )


# --- staff: reading and saving --------------------------------------------------------------------


def find_policy(session: Session, centre: Centre) -> ReleasePolicy | None:
    return session.scalar(select(ReleasePolicy).where(ReleasePolicy.centre_id == centre.id))


def save_policy(
    session: Session, centre: Centre, schedule: Schedule, now: datetime, actor: User | None
) -> ReleasePolicy:
    """Create or change the centre's policy; it applies from now (no occurrence before is announced
    late). The slots it now covers are held back, those it no longer covers released."""
    check_schedule(schedule)
    policy = find_policy(session, centre) or ReleasePolicy(centre=centre)
    policy.weekday, policy.minute_of_day = schedule.weekday, schedule.minute_of_day
    policy.weeks_ahead, policy.window_minutes, policy.enabled = (
        schedule.weeks_ahead,
        schedule.window_minutes,
        schedule.enabled,
    )
    policy.active_since = now
    policy.updated_by_id = actor.id if actor is not None else None
    session.add(policy)
    session.flush()
    sync_holds(session, policy, now)
    return policy


# --- holding generated slots back -------------------------------------------------------------------


def _announced(session: Session, centre_id: int, week: date) -> bool:
    return bool(
        session.scalar(select(exists().where(ReleaseRound.centre_id == centre_id, ReleaseRound.policy_week == week)))
    )


def _first_held_week(session: Session, policy: ReleasePolicy, now: datetime) -> date:
    """The first week the policy has still to announce: that of its latest occurrence when that one
    is still to be announced (the job is about to), else that of the next one."""
    schedule, zone = schedule_of(policy), policy.centre.zone
    latest = latest_occurrence(schedule, zone, now)
    week = covered_week(schedule, zone, latest)
    if latest >= policy.active_since and not _announced(session, policy.centre_id, week):
        return week
    return week + WEEK


def sync_holds(session: Session, policy: ReleasePolicy, now: datetime) -> None:
    """Generated slots from the first week still to be announced are held back; any other
    generated slot of the centre not in a round is not (every slot, when the policy is off)."""
    centre = policy.centre
    free = (Slot.centre_id == centre.id, Slot.round_id.is_(None), Slot.starts_at > now)
    if policy.enabled:
        start = datetime.combine(_first_held_week(session, policy, now), time.min, centre.zone)
        session.execute(
            update(Slot)
            .where(*free, Slot.template_id.is_not(None), Slot.starts_at >= start, Slot.release_pending.is_(False))
            .values(release_pending=True)
            .execution_options(synchronize_session=False)
        )
        released = (Slot.release_pending.is_(True), Slot.starts_at < start)
    else:
        released = (Slot.release_pending.is_(True),)
    session.execute(
        update(Slot).where(*free, *released).values(release_pending=False).execution_options(synchronize_session=False)
    )


def hold_generated_slots(session: Session, now: datetime, centre: Centre | None = None) -> None:
    """After the generator ran: hold back what it made for weeks a policy will announce."""
    query = select(ReleasePolicy).where(ReleasePolicy.enabled.is_(True))
    if centre is not None:
        query = query.where(ReleasePolicy.centre_id == centre.id)
    for policy in session.scalars(query):
        sync_holds(session, policy, now)


# --- the scheduler's job ----------------------------------------------------------------------------


def _week_pairs(session: Session, centre: Centre, week: date, draw_at: datetime) -> list[tuple[str, str]]:
    """The exam types and categories with a slot that could join a round of that week."""
    return list(
        session.execute(
            select(Slot.exam_type, Slot.category)
            .where(*announcing.joinable_slots(centre, week, week + WEEK, draw_at))
            .distinct()
            .order_by(Slot.exam_type, Slot.category)
        ).tuples()
    )


def announce_for(session: Session, policy: ReleasePolicy, now: datetime) -> list[ReleaseRound]:
    """Announce the rounds of the policy's latest occurrence if that is due and not done yet."""
    schedule, centre = schedule_of(policy), policy.centre
    occurrence = latest_occurrence(schedule, centre.zone, now)
    week = covered_week(schedule, centre.zone, occurrence)
    if occurrence < policy.active_since or _announced(session, centre.id, week):
        return []
    window = timedelta(minutes=schedule.window_minutes)
    # A job that ran late (the scheduler was down) still gives everyone the whole window.
    opens_at = occurrence if now < occurrence + window else now
    draw_at = opens_at + window
    announced = []
    for exam_type, category in _week_pairs(session, centre, week, draw_at):
        plan = announcing.RoundPlan(exam_type, category, week, week + timedelta(days=6), opens_at, draw_at)
        try:
            with session.begin_nested():
                announced.append(announcing.announce(session, centre, plan, now, policy_week=week))
        except IntegrityError:
            continue  # another scheduler announced this one at the same moment
        except DomainError:
            continue  # its slots were taken meanwhile
    # What did not join (booked full, too early) is not held back any longer.
    start = datetime.combine(week, time.min, centre.zone)
    end = datetime.combine(week + WEEK, time.min, centre.zone)
    session.execute(
        update(Slot)
        .where(Slot.centre_id == centre.id, Slot.starts_at >= start, Slot.starts_at < end, Slot.round_id.is_(None))
        .values(release_pending=False)
        .execution_options(synchronize_session=False)
    )
    return announced


def announce_due(session: Session, now: datetime) -> str:
    """The scheduler's job: every enabled policy whose occurrence has come, each committed alone."""
    count = 0
    policy_ids = list(session.scalars(select(ReleasePolicy.id).where(ReleasePolicy.enabled.is_(True))))
    for policy_id in policy_ids:
        policy = session.get(ReleasePolicy, policy_id)
        count += len(announce_for(session, policy, now))
        session.commit()
    return f"{count} rounds announced by release policies"
