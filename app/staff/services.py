"""What centre staff (and admins) do: weekly templates and slot generation, closures, capacity,
blocking, the roster, check-in, no-shows, results, dashboards and exports.

Plain functions over a session; they raise domain errors and never commit (the view, command or job
does). Booking state changes go through the booking services, so the rules about places, waitlists,
messages and eligibility stay in one place; every staff action is written to the audit log.

Scope: staff see and change only their own centre, admins every centre. The `*_for` look-ups answer
None for anything out of scope, and callers answer 404.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import ScalarResult, delete, exists, func, insert, select, update
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.util import identity_key

from app.audit.services import record as audit
from app.auth import services as auth_services
from app.auth.models import Role, User
from app.booking import availability, places, slot_changes
from app.booking.eligibility import Policy
from app.booking.labels import DOCUMENTS
from app.booking.models import LICENCE_CATEGORIES, Booking, BookingEvent, BookingStatus, ExamType, Slot
from app.centres.models import Centre
from app.centres.services import find_centre
from app.core.acting import Acting
from app.core.errors import DomainError, FieldErrors
from app.core.locking import lock
from app.staff import figures, rules
from app.staff.models import CentreClosure, SlotTemplate

DEFAULT_HORIZON_DAYS = 28
PREVIEW_DAYS = 14
# On the roster: everyone who holds a confirmed place or whose exam day has been recorded.
ROSTER_STATUSES = (
    BookingStatus.CONFIRMED,
    BookingStatus.ATTENDED,
    BookingStatus.REFUSED,
    BookingStatus.NO_SHOW,
    BookingStatus.PASSED,
    BookingStatus.FAILED,
)


# --- Scope ---------------------------------------------------------------------------------------


def may_manage(user: User, centre_id: int) -> bool:
    return user.role == Role.ADMIN or (user.role == Role.STAFF and user.centre_id == centre_id)


def centre_for(session: Session, user: User, code: str) -> Centre | None:
    centre = find_centre(session, code)
    return centre if centre is not None and may_manage(user, centre.id) else None


# What a centre owns directly (a `centre_id` of its own).
CentreOwned = TypeVar("CentreOwned", Slot, SlotTemplate, CentreClosure)


def _in_scope(session: Session, user: User, model: type[CentreOwned], key: int) -> CentreOwned | None:
    """The `model` row with id `key` when it belongs to a centre `user` manages."""
    found = session.get(model, key)
    return found if found is not None and may_manage(user, found.centre_id) else None


def slot_for(session: Session, user: User, slot_id: int) -> Slot | None:
    return _in_scope(session, user, Slot, slot_id)


def booking_for(session: Session, user: User, booking_id: int) -> Booking | None:
    booking = session.get(Booking, booking_id)
    return booking if booking is not None and may_manage(user, booking.slot.centre_id) else None


def template_for(session: Session, user: User, template_id: int) -> SlotTemplate | None:
    return _in_scope(session, user, SlotTemplate, template_id)


def closure_for(session: Session, user: User, closure_id: int) -> CentreClosure | None:
    return _in_scope(session, user, CentreClosure, closure_id)


# --- Weekly templates and generation --------------------------------------------------------------


def check_template(data: rules.TemplateFacts) -> rules.TemplateFacts:
    """The staff's input as facts to generate from (categories in their usual order), or
    FieldErrors naming every problem at once."""
    errors: dict[str, list] = {}
    if not 0 <= data.weekday <= 6:
        errors["weekday"] = [_l("Choose a day of the week.")]
    if data.exam_type not in {exam.value for exam in ExamType}:
        errors["exam_type"] = [_l("Choose the theory or the practical exam.")]
    if not data.categories or not set(data.categories) <= set(LICENCE_CATEGORIES):
        errors["categories"] = [_l("Choose at least one licence category.")]
    if not 10 <= data.slot_minutes <= 480:
        errors["slot_minutes"] = [_l("A time lasts from 10 to 480 minutes.")]
    if not 1 <= data.capacity <= 500:
        errors["capacity"] = [_l("A time has from 1 to 500 places.")]
    if data.closes_at <= data.opens_at:
        errors["closes_at"] = [_l("Closing must be after opening.")]
    elif "slot_minutes" not in errors and not rules.day_times(data.opens_at, data.closes_at, data.slot_minutes):
        errors["slot_minutes"] = [_l("Not even one time fits between opening and closing.")]
    if data.valid_to is not None and data.valid_to < data.valid_from:
        errors["valid_to"] = [_l("The last day must not be before the first.")]
    if errors:
        raise FieldErrors(errors)
    return replace(data, categories=tuple(category for category in LICENCE_CATEGORIES if category in data.categories))


def template_facts(template: SlotTemplate) -> rules.TemplateFacts:
    return rules.TemplateFacts(
        template.weekday,
        template.opens_at,
        template.closes_at,
        template.slot_minutes,
        template.capacity,
        template.exam_type,
        tuple(template.category_list),
        template.valid_from,
        template.valid_to,
        template.id,
    )


def centre_templates(session: Session, centre: Centre) -> list[SlotTemplate]:
    return list(
        session.scalars(
            select(SlotTemplate)
            .where(SlotTemplate.centre_id == centre.id)
            .order_by(SlotTemplate.weekday, SlotTemplate.opens_at, SlotTemplate.exam_type, SlotTemplate.id)
        )
    )


def save_template(
    session: Session,
    centre: Centre,
    data: rules.TemplateFacts,
    actor: User,
    now: datetime,
    template: SlotTemplate | None = None,
) -> SlotTemplate:
    """Create or change a template. Published slots stay as they are: only generation from now on
    follows the change (block or edit published times one by one)."""
    facts = check_template(data)
    created = template is None
    template = template or SlotTemplate(centre_id=centre.id, created_at=now)
    template.weekday = facts.weekday
    template.opens_at, template.closes_at = facts.opens_at, facts.closes_at
    template.slot_minutes, template.capacity = facts.slot_minutes, facts.capacity
    template.exam_type = facts.exam_type
    template.categories = ",".join(facts.categories)
    template.valid_from, template.valid_to = facts.valid_from, facts.valid_to
    session.add(template)
    session.flush()
    audit(
        Acting(session, actor, now),
        "template-created" if created else "template-updated",
        template,
        details={
            "weekday": facts.weekday,
            "hours": f"{facts.opens_at:%H:%M}-{facts.closes_at:%H:%M}",
            "minutes": facts.slot_minutes,
            "capacity": facts.capacity,
            "exam": facts.exam_type,
            "categories": template.categories,
        },
    )
    return template


def delete_template(session: Session, template: SlotTemplate, actor: User, now: datetime) -> None:
    """Generation stops; the slots it made stay (they lose the link)."""
    audit(Acting(session, actor, now), "template-deleted", template)
    session.delete(template)


def _closures(session: Session, centre_id: int) -> list[tuple[date, date]]:
    return list(
        session.execute(
            select(CentreClosure.first_day, CentreClosure.last_day).where(CentreClosure.centre_id == centre_id)
        ).tuples()
    )


def preview(
    session: Session, centre: Centre, facts: rules.TemplateFacts, now: datetime, days: int = PREVIEW_DAYS
) -> list[tuple[date, list[rules.PlannedSlot]]]:
    """The slots a template would produce over the next `days` days, by local day."""
    by_day: dict[date, list[rules.PlannedSlot]] = {}
    today = centre.local(now).date()
    for planned in rules.plan_slots([facts], centre.zone, today, days, _closures(session, centre.id)):
        if planned.starts_at > now:
            by_day.setdefault(centre.local(planned.starts_at).date(), []).append(planned)
    return sorted(by_day.items())


def generate_slots(session: Session, now: datetime, days: int, centre: Centre | None = None) -> int:
    """Materialise slots from every template (of one centre, or all) over the next `days` days of each
    centre's calendar, skipping public holidays and closures; returns how many were added.

    Idempotent: a slot that exists (same centre, exam, category and start) is left alone, so the
    nightly job and `flask slots generate` may run as often as they like."""
    query = select(SlotTemplate)
    if centre is not None:
        query = query.where(SlotTemplate.centre_id == centre.id)
    by_centre: dict[int, list[SlotTemplate]] = {}
    for template in session.scalars(query):
        by_centre.setdefault(template.centre_id, []).append(template)
    specs = []
    for centre_id, templates in by_centre.items():
        owner = templates[0].centre
        planned = rules.plan_slots(
            [template_facts(template) for template in templates],
            owner.zone,
            owner.local(now).date(),
            days,
            _closures(session, centre_id),
        )
        specs.extend(
            availability.SlotSpec(
                centre_id, p.exam_type, p.category, p.starts_at, p.ends_at, p.capacity, template_id=p.template_id
            )
            for p in planned
            if p.starts_at > now
        )
    return availability.add_missing_slots(session, specs)


def publish_slots(session: Session, centre: Centre, actor: User, now: datetime, days: int) -> int:
    """Staff need not wait for the nightly job: generate the centre's slots now (logged)."""
    added = generate_slots(session, now, days, centre)
    audit(
        Acting(session, actor, now),
        "slots-generated",
        centre,
        details={"days": days, "added": added},
    )
    return added


# --- Closures ------------------------------------------------------------------------------------


def _day_bounds(centre: Centre, first_day: date, last_day: date) -> tuple[datetime, datetime]:
    """The UTC instants where the centre's `first_day` begins and the day after `last_day` begins."""
    return (
        datetime.combine(first_day, time.min, centre.zone),
        datetime.combine(last_day + timedelta(days=1), time.min, centre.zone),
    )


def centre_closures(session: Session, centre: Centre) -> list[CentreClosure]:
    return list(
        session.scalars(
            select(CentreClosure).where(CentreClosure.centre_id == centre.id).order_by(CentreClosure.first_day)
        )
    )


def add_closure(
    session: Session,
    centre: Centre,
    first_day: date,
    last_day: date,
    reason: str,
    actor: User,
    now: datetime,
    policy: Policy,
) -> tuple[CentreClosure, int, int]:
    """Close the centre on these days. Future slots there go: never-booked ones are removed, the others
    blocked (their applicants notified). Returns the closure, slots removed, slots blocked."""
    reason = " ".join((reason or "").split())
    errors: dict[str, list] = {}
    if last_day < first_day:
        errors["last_day"] = [_l("The last day must not be before the first.")]
    elif last_day < centre.local(now).date():
        errors["last_day"] = [_l("The closure is already over.")]
    if not 3 <= len(reason) <= 300:
        errors["reason"] = [_l("Give the reason (3 to 300 characters): applicants will read it.")]
    if errors:
        raise FieldErrors(errors)
    closure = CentreClosure(centre_id=centre.id, first_day=first_day, last_day=last_day, reason=reason, created_at=now)
    session.add(closure)
    start, end = _day_bounds(centre, first_day, last_day)
    in_closure = (Slot.centre_id == centre.id, Slot.starts_at >= start, Slot.starts_at < end, Slot.starts_at > now)
    never_booked = ~exists().where(Booking.slot_id == Slot.id) & ~exists().where(BookingEvent.slot_id == Slot.id)
    removed = session.execute(
        delete(Slot).where(*in_closure, never_booked).execution_options(synchronize_session=False)
    ).rowcount
    blocked = 0
    for slot in session.scalars(select(Slot).where(*in_closure, Slot.blocked_at.is_(None)).order_by(Slot.starts_at)):
        slot_changes.block_slot(session, slot, reason, now, policy)
        blocked += 1
    session.flush()
    audit(
        Acting(session, actor, now),
        "closure-added",
        closure,
        details={"from": first_day.isoformat(), "to": last_day.isoformat(), "removed": removed, "blocked": blocked},
    )
    return closure, removed, blocked


def delete_closure(session: Session, closure: CentreClosure, actor: User, now: datetime) -> None:
    """The days open again for generation (blocked times stay blocked)."""
    audit(
        Acting(session, actor, now),
        "closure-deleted",
        closure,
        details={"from": closure.first_day.isoformat(), "to": closure.last_day.isoformat()},
    )
    session.delete(closure)


# --- Slots: the day, capacity, blocking ---------------------------------------------------------------


def day_slots(session: Session, centre: Centre, day: date) -> list[Slot]:
    start, end = _day_bounds(centre, day, day)
    return list(
        session.scalars(
            select(Slot)
            .where(Slot.centre_id == centre.id, Slot.starts_at >= start, Slot.starts_at < end)
            .order_by(Slot.starts_at, Slot.exam_type, Slot.category)
        )
    )


def change_capacity(session: Session, slot: Slot, capacity: int, actor: User, now: datetime, policy: Policy) -> None:
    previous = slot_changes.set_capacity(session, slot, capacity, now, policy)
    audit(
        Acting(session, actor, now),
        "capacity-changed",
        slot,
        details={"from": previous, "to": capacity},
    )


def block(session: Session, slot: Slot, reason: str, actor: User, now: datetime, policy: Policy) -> list[Booking]:
    if slot.ends_at <= now:
        raise DomainError(_l("This exam is over: it cannot be blocked."), code="slot-over", status=409)
    cancelled = slot_changes.block_slot(session, slot, reason, now, policy)
    audit(
        Acting(session, actor, now),
        "slot-blocked",
        slot,
        details={"reason": slot.blocked_reason, "cancelled": len(cancelled)},
    )
    return cancelled


def block_day(
    session: Session, centre: Centre, day: date, reason: str, actor: User, now: datetime, policy: Policy
) -> tuple[int, int]:
    """Block every time of the day that is not over or blocked yet; returns (times, bookings cancelled)."""
    slots = [slot for slot in day_slots(session, centre, day) if slot.blocked_at is None and slot.ends_at > now]
    if not slots:
        raise DomainError(_l("This day has no exam times left to block."), code="nothing-to-block", status=409)
    cancelled = sum(len(slot_changes.block_slot(session, slot, reason, now, policy)) for slot in slots)
    audit(
        Acting(session, actor, now),
        "day-blocked",
        centre,
        part=day.isoformat(),
        details={"reason": " ".join(reason.split()), "slots": len(slots), "cancelled": cancelled},
    )
    return len(slots), cancelled


# --- Exam day: roster, check-in, no-shows, results ------------------------------------------------


def roster(session: Session, slot: Slot) -> list[Booking]:
    """Who is expected at the exam, by ticket number (the order people were confirmed in)."""
    return list(
        session.scalars(
            select(Booking)
            .where(Booking.slot_id == slot.id, Booking.status.in_(ROSTER_STATUSES))
            .order_by(Booking.ticket, Booking.id)
        )
    )


def check_in(session: Session, booking: Booking, documents: Mapping[str, bool], actor: User, now: datetime) -> Booking:
    """Check the documents the licence service requires. All present: admitted (attended). One
    missing: not admitted, recorded with what was missing (the applicant may come back with it
    while the exam is on). The caller tells people which by `booking.missing_documents`."""
    lock(session, booking, "status", "checked_in_at")
    slot = booking.slot
    if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.REFUSED):
        raise DomainError(_l("Only a confirmed booking can be checked in."), code="not-checkable", status=409)
    if slot.local_date != slot.centre.local(now).date() or slot.ends_at <= now:
        raise DomainError(
            _l("Check-in is open on the exam day until the exam ends."), code="check-in-closed", status=409
        )
    shown = {name: bool(documents.get(name)) for name in DOCUMENTS}
    booking.documents = shown
    booking.checked_in_at = now
    admitted = all(shown.values())
    booking.status = (BookingStatus.ATTENDED if admitted else BookingStatus.REFUSED).value
    places.record_event(booking, "checked-in" if admitted else "refused", now)
    audit(
        Acting(session, actor, now),
        "checked-in" if admitted else "not-admitted",
        booking,
        details={"missing": booking.missing_documents},
    )
    return booking


def mark_no_shows(session: Session, now: datetime, slot: Slot | None = None) -> int:
    """Confirmed bookings of exams that are over and nobody checked in: no-shows (one UPDATE for all;
    the scheduler's job calls it, staff may for one slot). Returns how many."""
    over = select(Slot.id).where(Slot.ends_at <= now)
    if slot is not None:
        over = over.where(Slot.id == slot.id)
    marked = session.execute(
        update(Booking)
        .where(Booking.status == BookingStatus.CONFIRMED, Booking.slot_id.in_(over))
        .values(status=BookingStatus.NO_SHOW.value)
        .returning(Booking.id, Booking.slot_id)
        .execution_options(synchronize_session=False)
    ).all()
    if marked:
        session.execute(
            insert(BookingEvent),
            [{"booking_id": id_, "slot_id": slot_id, "action": "no-show", "at": now} for id_, slot_id in marked],
        )
        for id_, _ in marked:  # bookings already in the session still say "confirmed"
            if (loaded := session.identity_map.get(identity_key(Booking, id_))) is not None:
                session.expire(loaded)
    return len(marked)


def mark_slot_no_shows(session: Session, slot: Slot, actor: User, now: datetime) -> int:
    if slot.ends_at > now:
        raise DomainError(_l("No-shows can be marked only after the exam ends."), code="slot-not-over", status=409)
    count = mark_no_shows(session, now, slot)
    audit(Acting(session, actor, now), "no-shows-marked", slot, details={"count": count})
    return count


RESULT_PROBLEMS = {
    "score-required": _l("Enter the number of right answers (0 to 40)."),
    "score-out-of-range": _l("The theory exam has 40 questions: enter 0 to 40 right answers."),
    "score-contradicts-result": _l(
        "With %(mark)s or more right answers of 40 the theory exam is passed, otherwise not."
    ),
    "points-negative": _l("Penalty points cannot be negative."),
}


def record_result(
    session: Session, booking: Booking, passed: bool, points: int | None, actor: User, now: datetime
) -> Booking:
    """Theory: `points` are right answers out of 40 (pass at 32); practical: penalty points. The booking
    feature records it, so eligibility and retake waits follow, and the applicant is told."""
    lock(session, booking, "status")
    if booking.status != BookingStatus.ATTENDED:
        raise DomainError(
            _l("Only an applicant who was checked in and admitted can get a result."),
            code="not-admitted",
            status=409,
        )
    if booking.slot.starts_at > now:
        raise DomainError(_l("The exam has not started yet."), code="exam-not-started", status=409)
    if problem := rules.result_problem(booking.exam_type, passed, points):
        raise FieldErrors({"points": [RESULT_PROBLEMS[problem] % {"mark": rules.THEORY_PASS_MARK}]})
    theory = booking.exam_type == ExamType.THEORY
    slot_changes.record_result(
        session,
        booking,
        passed,
        now,
        score=points if theory else None,
        penalty_points=None if theory else points,
    )
    audit(
        Acting(session, actor, now),
        "result-recorded",
        booking,
        details={"passed": passed, "points": points},
    )
    return booking


# --- Oversight -----------------------------------------------------------------------------------


def _period_query(query, centre: Centre | None, first_day: date, last_day: date, zone):
    start = datetime.combine(first_day, time.min, zone)
    end = datetime.combine(last_day + timedelta(days=1), time.min, zone)
    query = query.where(Slot.starts_at >= start, Slot.starts_at < end)
    return query.where(Slot.centre_id == centre.id) if centre is not None else query


def dashboard(session: Session, centre: Centre | None, first_day: date, last_day: date, zone) -> figures.Figures:
    """The figures of one centre (or all) for exams from `first_day` to `last_day` (in `zone`)."""
    slots = [
        figures.SlotRow(slot.local_date, slot.capacity, slot.booked, slot.blocked_at is not None)
        for slot in session.scalars(_period_query(select(Slot), centre, first_day, last_day, zone))
    ]
    bookings = [
        figures.BookingRow(exam_type, status, confirmed_at, starts_at)
        for exam_type, status, confirmed_at, starts_at in session.execute(
            _period_query(
                select(Booking.exam_type, Booking.status, Booking.confirmed_at, Slot.starts_at).join(Booking.slot),
                centre,
                first_day,
                last_day,
                zone,
            )
        ).tuples()
    ]
    return figures.compute(slots, bookings)


def default_period(today: date) -> tuple[date, date]:
    """The exam days oversight looks at unless told otherwise: two weeks back, two weeks ahead."""
    return today - timedelta(days=14), today + timedelta(days=13)


def _period_bookings_query(centre: Centre, first_day: date, last_day: date):
    # Exports print each applicant's name and IIN: the user comes in the same statement.
    query = (
        select(Booking)
        .join(Booking.slot)
        .options(joinedload(Booking.user))
        .order_by(Slot.starts_at, Booking.ticket, Booking.id)
    )
    return _period_query(query, centre, first_day, last_day, centre.zone)


def period_bookings(session: Session, centre: Centre, first_day: date, last_day: date) -> list[Booking]:
    """Every booking of the centre's exams in the period (held, cancelled … too), by exam time."""
    return list(session.scalars(_period_bookings_query(centre, first_day, last_day)))


def stream_period_bookings(
    session: Session, centre: Centre, first_day: date, last_day: date, batch_size: int = 500
) -> ScalarResult[Booking]:
    """The same bookings, fetched `batch_size` rows at a time (a server-side cursor on PostgreSQL),
    so that an export of years of bookings never holds them all in memory. Close it when done
    (`with`): a reader that stops early would otherwise leave the cursor open."""
    query = _period_bookings_query(centre, first_day, last_day).execution_options(yield_per=batch_size)
    return session.scalars(query)


def count_period_bookings(session: Session, centre: Centre, first_day: date, last_day: date) -> int:
    query = select(func.count(Booking.id)).join(Booking.slot)
    return session.scalar(_period_query(query, centre, first_day, last_day, centre.zone))


# --- Administration: staff accounts ---------------------------------------------------------------


def staff_accounts(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.role == Role.STAFF).order_by(User.centre_id, User.email)))


def create_staff(
    session: Session, registration: auth_services.Registration, centre: Centre, actor: User, now: datetime
) -> User:
    user = auth_services.register_user(session, registration, role=Role.STAFF, centre=centre)
    audit(Acting(session, actor, now), "staff-created", user)
    return user


def set_staff_active(session: Session, user: User, active: bool, actor: User, now: datetime) -> None:
    """A deactivated account can neither sign in nor go on with a session or an API token."""
    user.active = active
    if not active:
        auth_services.end_every_session(session, user)
    audit(
        Acting(session, actor, now),
        "staff-reactivated" if active else "staff-deactivated",
        user,
    )
