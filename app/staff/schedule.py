"""Weekly templates, the slots generated from them, and closures of a centre's days.

Like every staff service: plain functions that raise domain errors and never commit (the view,
command or job does); every staff action is written to the audit log."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from app.audit.services import record as audit
from app.booking.availability import SlotSpec, add_missing_slots
from app.booking.models import ACTIVE_STATUSES, LICENCE_CATEGORIES, Booking, BookingEvent, ExamType, Slot
from app.centres.models import Centre
from app.core.acting import Acting
from app.core.errors import FieldErrors
from app.rounds.policies import hold_generated_slots
from app.staff import rules
from app.staff.models import CentreClosure, SlotTemplate
from app.staff.slots import block_slot, day_bounds

DEFAULT_HORIZON_DAYS = 28


PREVIEW_DAYS = 14


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
    acting: Acting, centre: Centre, data: rules.TemplateFacts, template: SlotTemplate | None = None
) -> SlotTemplate:
    """Create or change a template. Published slots stay as they are: only generation from now on
    follows the change (block or edit published times one by one)."""
    session, now = acting.session, acting.now
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
        acting,
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


def exam_hours(session: Session, centre: Centre) -> tuple[time, time] | None:
    """From the earliest start to the latest end of the centre's weekly templates: the hours it is open
    for exams (its opening hours are free text in three languages), where a lunch break must lie."""
    opens, closes = session.execute(
        select(func.min(SlotTemplate.opens_at), func.max(SlotTemplate.closes_at)).where(
            SlotTemplate.centre_id == centre.id
        )
    ).one()
    return (opens, closes) if opens is not None else None


def template_reach(session: Session, template: SlotTemplate, now: datetime) -> tuple[int, int]:
    """(exam times still to come that the template published, bookings on them): deleting the
    template keeps them, which its confirmation page says."""
    future = select(Slot.id).where(Slot.template_id == template.id, Slot.starts_at > now)
    times = session.scalar(select(func.count()).select_from(future.subquery()))
    bookings = session.scalar(
        select(func.count(Booking.id)).where(Booking.slot_id.in_(future), Booking.status.in_(ACTIVE_STATUSES))
    )
    return times, bookings


def delete_template(acting: Acting, template: SlotTemplate) -> None:
    """Generation stops; the slots it made stay (they lose the link)."""
    audit(acting, "template-deleted", template)
    acting.session.delete(template)


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
    closures = _closures(session, centre.id)
    for planned in rules.plan_slots([facts], centre.zone, today, days, closures, centre.lunch_break):
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
            owner.lunch_break,
        )
        specs.extend(
            SlotSpec(centre_id, p.exam_type, p.category, p.starts_at, p.ends_at, p.capacity, template_id=p.template_id)
            for p in planned
            if p.starts_at > now
        )
    added = add_missing_slots(session, specs)
    # Weeks a centre's release policy will announce go by its lottery, not first come, first served.
    hold_generated_slots(session, now, centre)
    return added


def publish_slots(acting: Acting, centre: Centre, days: int) -> int:
    """Staff need not wait for the nightly job: generate the centre's slots now (logged)."""
    added = generate_slots(acting.session, acting.now, days, centre)
    audit(
        acting,
        "slots-generated",
        centre,
        details={"days": days, "added": added},
    )
    return added


def centre_closures(session: Session, centre: Centre) -> list[CentreClosure]:
    return list(
        session.scalars(
            select(CentreClosure).where(CentreClosure.centre_id == centre.id).order_by(CentreClosure.first_day)
        )
    )


def add_closure(
    acting: Acting, centre: Centre, first_day: date, last_day: date, reason: str
) -> tuple[CentreClosure, int, int]:
    """Close the centre on these days. Future slots there go: never-booked ones are removed, the others
    blocked (their applicants notified). Returns the closure, slots removed, slots blocked."""
    session, now = acting.session, acting.now
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
    start, end = day_bounds(centre, first_day, last_day)
    in_closure = (Slot.centre_id == centre.id, Slot.starts_at >= start, Slot.starts_at < end, Slot.starts_at > now)
    never_booked = ~exists().where(Booking.slot_id == Slot.id) & ~exists().where(BookingEvent.slot_id == Slot.id)
    removed = session.execute(
        delete(Slot).where(*in_closure, never_booked).execution_options(synchronize_session=False)
    ).rowcount
    blocked = 0
    for slot in session.scalars(select(Slot).where(*in_closure, Slot.blocked_at.is_(None)).order_by(Slot.starts_at)):
        block_slot(acting, slot, reason, audited=False)
        blocked += 1
    session.flush()
    audit(
        acting,
        "closure-added",
        closure,
        details={"from": first_day.isoformat(), "to": last_day.isoformat(), "removed": removed, "blocked": blocked},
    )
    return closure, removed, blocked


def delete_closure(acting: Acting, closure: CentreClosure) -> None:
    """The days open again for generation (blocked times stay blocked)."""
    audit(
        acting,
        "closure-deleted",
        closure,
        details={"from": closure.first_day.isoformat(), "to": closure.last_day.isoformat()},
    )
    acting.session.delete(closure)
