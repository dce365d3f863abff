"""Appeal operations: filing with a receipt, registration, referral, extension, decision,
withdrawal, complaints and the centres' queues.

Plain functions over a session that raise `DomainError`s and never commit: the view commits once.
Every step queues one outbox message to the applicant, keyed `appeal:{id}:{event}`, in the same
transaction. The deadlines come from the pure `deadlines` module.

An appeal is not refused on its merits: filing checks that the form is complete, that a booking
named is the applicant's, and two abuse limits — no second open appeal with the same subject,
booking and essence, and at most `APPEAL_DAILY_LIMIT` appeals per person in 24 hours. The receipt
(number, date and time) is issued at once by the system; the staff member who registers the
appeal in the centre's queue is recorded on it with their position.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.appeals import deadlines
from app.appeals.models import (
    OPEN_STATUSES,
    Appeal,
    AppealEvent,
    AppealSequence,
    AppealStatus,
    Complaint,
    Outcome,
    Subject,
)
from app.auth.models import User
from app.booking.holds import own_booking
from app.booking.models import Booking, BookingStatus
from app.centres.models import Centre
from app.centres.services import find_centre
from app.core.database import insert_for
from app.core.errors import DomainError, FieldErrors
from app.core.locking import lock
from app.notify.services import queue_message

ESSENCE_MAX = 4000
TEXT_MAX = 2000
POSTAL_ADDRESS_MAX = 300
POSITION_MAX = 200
RESULT_STATUSES = (BookingStatus.PASSED, BookingStatus.FAILED)
DAY = timedelta(hours=24)


def _required(errors: dict[str, list], field: str, value: str | None, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        errors.setdefault(field, []).append(_l("This field is required."))
    elif len(value) > limit:
        errors.setdefault(field, []).append(_l("At most %(count)s characters.", count=limit))
    return value


def _not_open() -> DomainError:
    return DomainError(_l("This appeal is no longer open for this step."), code="appeal-not-open", status=409)


def local_day(centre: Centre, moment: datetime) -> date:
    return centre.local(moment).date()


def _record(appeal: Appeal, action: str, now: datetime, actor: User | None = None) -> None:
    appeal.events.append(AppealEvent(action=action, at=now, actor=actor, centre_id=appeal.centre_id))


def _notify(session: Session, appeal: Appeal, event: str, **details) -> None:
    queue_message(
        session,
        kind=f"appeal-{event}",
        user=appeal.user,
        payload={
            "appeal": appeal.id,
            "receipt_number": appeal.receipt_number,
            "status": appeal.status,
            "centre": appeal.centre.code,
            "decision_due": appeal.decision_due.isoformat(),
            **details,
        },
        key=f"appeal:{appeal.id}:{event}",
    )


# --- Filing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filing:
    subject: str
    essence: str
    postal_address: str
    booking_id: int | None = None
    centre_code: str | None = None  # the body addressed, when no booking names it
    confirmed: bool = False


def subject_of(booking: Booking) -> Subject:
    """An exam result is appealed from a booking with a result; anything else concerns the booking."""
    return Subject.EXAM_RESULT if booking.status in RESULT_STATUSES else Subject.BOOKING


def file_appeal(session: Session, user: User, filing: Filing, now: datetime) -> Appeal:
    """File an appeal and issue its receipt. The competent centre is the booking's; without a
    booking it goes to the centre the applicant addresses (which refers it on if need be)."""
    errors: dict[str, list] = {}
    if filing.subject not in set(Subject):
        errors["subject"] = [_l("Choose what the appeal is about.")]
    essence = _required(errors, "essence", filing.essence, ESSENCE_MAX)
    postal_address = _required(errors, "postal_address", filing.postal_address, POSTAL_ADDRESS_MAX)
    if filing.confirmed is not True:
        errors["confirmed"] = [_l("Confirm the appeal: it takes the place of your signature.")]
    booking = None
    if filing.booking_id is not None:
        booking = own_booking(session, user, filing.booking_id)
        if booking is None:
            raise DomainError(_l("There is no such booking of yours."), code="booking-not-found", status=404)
        if filing.subject == Subject.EXAM_RESULT and booking.status not in RESULT_STATUSES:
            errors["booking_id"] = [_l("This booking has no exam result to appeal.")]
        centre = booking.centre
    elif filing.subject == Subject.EXAM_RESULT:
        errors["booking_id"] = [_l("Name the exam booking whose result you appeal.")]
    else:
        centre = find_centre(session, filing.centre_code) if filing.centre_code else None
        if centre is None:
            errors["centre"] = [_l("Choose the exam centre you address.")]
    if errors:
        raise FieldErrors(errors)
    _check_abuse_limits(session, user, filing, essence, now)

    received_on = local_day(centre, now)
    appeal = Appeal(
        receipt_number=_next_receipt_number(session, centre, received_on.year),
        user=user,
        booking=booking,
        subject=filing.subject,
        addressed_centre=centre,
        centre=centre,
        applicant_name=user.full_name,
        applicant_iin=user.iin,
        postal_address=postal_address,
        essence=essence,
        confirmed_at=now,
        status=AppealStatus.RECEIVED.value,
        received_at=now,
        received_on=received_on,
        refer_due=deadlines.refer_by(received_on),
        decision_due=deadlines.decide_by(received_on),
    )
    session.add(appeal)
    session.flush()
    _record(appeal, "received", now)
    _notify(session, appeal, "received", received_at=now.isoformat())
    return appeal


def _same_text(text: str) -> str:
    return " ".join(text.split()).casefold()


def _check_abuse_limits(session: Session, user: User, filing: Filing, essence: str, now: datetime) -> None:
    """One open appeal per matter (a double submit or a copy is refused with the first one's
    number), and a daily number per person, so that the centres' queues cannot be flooded."""
    open_ones = session.scalars(
        select(Appeal).where(
            Appeal.user_id == user.id,
            Appeal.subject == filing.subject,
            Appeal.booking_id.is_(None) if filing.booking_id is None else Appeal.booking_id == filing.booking_id,
            Appeal.status.in_(OPEN_STATUSES),
        )
    )
    if same := next((appeal for appeal in open_ones if _same_text(appeal.essence) == _same_text(essence)), None):
        raise DomainError(
            _l(
                "You have already filed this appeal: %(number)s. It is still being considered.",
                number=same.receipt_number,
            ),
            code="appeal-duplicate",
            status=409,
            appeal=same.id,
        )
    filed = session.scalar(
        select(func.count()).select_from(Appeal).where(Appeal.user_id == user.id, Appeal.received_at > now - DAY)
    )
    if filed >= current_app.config["APPEAL_DAILY_LIMIT"]:
        raise DomainError(
            _l("You have filed the most appeals allowed in 24 hours. Please file this one tomorrow."),
            code="appeal-limit",
            status=429,
        )


def _next_receipt_number(session: Session, centre: Centre, year: int) -> str:
    """APL-ALM-2026-000123: receiving centre, year, that centre's running number in the year. An
    atomic upsert of the counter, so concurrent filings never share a number."""
    table = AppealSequence.__table__
    number = session.scalar(
        insert_for(session, AppealSequence)
        .values(centre_id=centre.id, year=year, last=1)
        .on_conflict_do_update(index_elements=["centre_id", "year"], set_={"last": table.c.last + 1})
        .returning(table.c.last)
    )
    return f"APL-{centre.code}-{year}-{number:06d}"


# --- Finding ------------------------------------------------------------------------------------


def own_appeal(session: Session, user: User, appeal_id: int) -> Appeal | None:
    appeal = session.get(Appeal, appeal_id)
    return appeal if appeal is not None and appeal.user_id == user.id else None


def user_appeals(session: Session, user: User) -> list[Appeal]:
    return list(
        session.scalars(
            select(Appeal).where(Appeal.user_id == user.id).order_by(Appeal.received_at.desc(), Appeal.id.desc())
        ).unique()
    )


def handles(user: User, appeal: Appeal) -> bool:
    """Staff of the centre that has the case (after a referral: the new one), and admins."""
    return user.is_admin or (user.is_staff and appeal.centre_id == user.centre_id)


def can_see(user: User, appeal: Appeal) -> bool:
    return appeal.user_id == user.id or handles(user, appeal)


def appeal_for_staff(session: Session, staff: User, appeal_id: int) -> Appeal | None:
    """The appeal if the staff member handles it; anyone else's is as good as absent."""
    appeal = session.get(Appeal, appeal_id)
    return appeal if appeal is not None and handles(staff, appeal) else None


def case_facts(appeal: Appeal) -> deadlines.CaseFacts:
    complaint = appeal.complaint
    return deadlines.CaseFacts(
        status=appeal.status,
        refer_due=appeal.refer_due,
        decision_due=appeal.decision_due,
        referred=appeal.referred_at is not None,
        complaint_due=complaint.decision_due if complaint is not None and complaint.is_pending else None,
    )


def pending_step(appeal: Appeal) -> deadlines.Pending | None:
    return deadlines.pending(case_facts(appeal))


@dataclass(frozen=True)
class QueueItem:
    appeal: Appeal
    pending: deadlines.Pending
    urgency: deadlines.Urgency


def centre_queue(session: Session, staff: User, now: datetime) -> list[QueueItem]:
    """The cases that owe a step, nearest deadline first: the staff member's centre (admins: all)."""
    query = (
        select(Appeal)
        .outerjoin(Appeal.complaint)
        .where(
            (Appeal.status.in_(OPEN_STATUSES))
            | ((Appeal.status == AppealStatus.DECIDED) & Complaint.id.is_not(None) & Complaint.decided_at.is_(None))
        )
    )
    if not staff.is_admin:
        query = query.where(Appeal.centre_id == staff.centre_id)
    items = []
    for appeal in session.scalars(query).unique():
        step = pending_step(appeal)
        if step is not None:
            items.append(QueueItem(appeal, step, deadlines.urgency(step.due, local_day(appeal.centre, now))))
    return sorted(items, key=lambda item: (item.pending.due, item.appeal.received_at, item.appeal.id))


def last_position(session: Session, staff: User) -> str | None:
    """The position the staff member gave when last registering an appeal (to pre-fill the form)."""
    return session.scalar(
        select(Appeal.registrar_position)
        .where(Appeal.registered_by_id == staff.id)
        .order_by(Appeal.registered_at.desc())
        .limit(1)
    )


# --- The centre's steps -------------------------------------------------------------------------


def register(session: Session, appeal: Appeal, staff: User, position: str, now: datetime) -> Appeal:
    """The competent centre takes the case: its registrar (name and position) goes on the receipt."""
    lock(session, appeal, "status")
    if appeal.status != AppealStatus.RECEIVED:
        raise _not_open()
    errors: dict[str, list] = {}
    position = _required(errors, "position", position, POSITION_MAX)
    if errors:
        raise FieldErrors(errors)
    appeal.status = AppealStatus.REGISTERED.value
    appeal.registered_at = now
    appeal.registered_by = staff
    appeal.registrar_name = staff.full_name
    appeal.registrar_position = position
    _record(appeal, "registered", now, staff)
    _notify(session, appeal, "registered", registrar_name=staff.full_name, registrar_position=position)
    return appeal


def refer(session: Session, appeal: Appeal, staff: User, centre_code: str, note: str, now: datetime) -> Appeal:
    """Send the case to the competent centre (once, before it is registered); the applicant is told."""
    lock(session, appeal, "status", "referred_at")
    if appeal.status != AppealStatus.RECEIVED or appeal.referred_at is not None:
        raise _not_open()
    errors: dict[str, list] = {}
    note = _required(errors, "note", note, TEXT_MAX)
    target = find_centre(session, centre_code or "")
    if target is None or target.id == appeal.centre_id:
        errors["centre"] = [_l("Choose another exam centre.")]
    if errors:
        raise FieldErrors(errors)
    appeal.centre_id, appeal.centre = target.id, target
    appeal.referred_at = now
    appeal.referral_note = note
    _record(appeal, "referred", now, staff)
    _notify(session, appeal, "referred", note=note)
    return appeal


def extend(session: Session, appeal: Appeal, staff: User, until: date | None, reason: str, now: datetime) -> Appeal:
    """Extend the decision term once, by a reasoned decision taken before the term ends, up to two
    months from receipt; the applicant is told (the message is queued now, well within 3 working days)."""
    lock(session, appeal, "status", "extended_at")
    if appeal.status != AppealStatus.REGISTERED or appeal.extended_at is not None:
        raise _not_open()
    today = local_day(appeal.centre, now)
    if today > appeal.decision_due:
        raise DomainError(
            _l("The decision term has already ended: it can no longer be extended."),
            code="deadline-passed",
            status=409,
        )
    errors: dict[str, list] = {}
    reason = _required(errors, "reason", reason, TEXT_MAX)
    latest = deadlines.latest_extension(appeal.received_on)
    if until is None or not appeal.decision_due < until <= latest:
        errors["until"] = [
            _l(
                "Choose a date after %(current)s and no later than %(latest)s.",
                current=appeal.decision_due.isoformat(),
                latest=latest.isoformat(),
            )
        ]
    if errors:
        raise FieldErrors(errors)
    appeal.decision_due = until
    appeal.extended_at = now
    appeal.extension_reason = reason
    appeal.extension_notice_due = deadlines.extension_notice_by(today)
    _record(appeal, "extended", now, staff)
    _notify(session, appeal, "extended", reason=reason)
    return appeal


def _decision(errors: dict[str, list], outcome: str, reasons: str) -> tuple[str, str]:
    if outcome not in set(Outcome):
        errors["outcome"] = [_l("Choose the decision.")]
    return outcome, _required(errors, "reasons", reasons, TEXT_MAX)


def decide(session: Session, appeal: Appeal, staff: User, outcome: str, reasons: str, now: datetime) -> Appeal:
    """Decide a registered appeal with reasons; the decision goes to the applicant, and the term for
    a complaint starts (the applicant learns of the decision by this message)."""
    lock(session, appeal, "status")
    if appeal.status != AppealStatus.REGISTERED:
        raise _not_open()
    errors: dict[str, list] = {}
    outcome, reasons = _decision(errors, outcome, reasons)
    if errors:
        raise FieldErrors(errors)
    appeal.status = AppealStatus.DECIDED.value
    appeal.decided_at = now
    appeal.decided_by = staff
    appeal.outcome = outcome
    appeal.decision_reasons = reasons
    appeal.complaint_due = deadlines.complaint_by(local_day(appeal.centre, now))
    _record(appeal, "decided", now, staff)
    _notify(
        session, appeal, "decided", outcome=outcome, reasons=reasons, complaint_due=appeal.complaint_due.isoformat()
    )
    return appeal


def decide_complaint(
    session: Session, appeal: Appeal, staff: User, outcome: str, reasons: str, now: datetime
) -> Complaint:
    """Decide the complaint. Not by the official who decided the appeal: nobody reviews their own decision."""
    # The appeal is locked for every step of its case, the complaint's too.
    lock(session, appeal, "status")
    complaint = appeal.complaint
    if complaint is None or not complaint.is_pending:
        raise _not_open()
    if appeal.decided_by_id == staff.id:
        raise DomainError(
            _l("A complaint is decided by someone other than the official who decided the appeal."),
            code="own-decision",
            status=409,
        )
    errors: dict[str, list] = {}
    outcome, reasons = _decision(errors, outcome, reasons)
    if errors:
        raise FieldErrors(errors)
    complaint.decided_at = now
    complaint.decided_by = staff
    complaint.outcome = outcome
    complaint.decision_reasons = reasons
    _record(appeal, "complaint-decided", now, staff)
    _notify(session, appeal, "complaint-decided", outcome=outcome, reasons=reasons)
    return complaint


# --- The applicant's steps ----------------------------------------------------------------------


def withdraw(session: Session, appeal: Appeal, now: datetime) -> Appeal:
    """The applicant withdraws the appeal; possible until it is decided."""
    lock(session, appeal, "status")
    if not appeal.is_open:
        raise _not_open()
    appeal.status = AppealStatus.WITHDRAWN.value
    appeal.withdrawn_at = now
    _record(appeal, "withdrawn", now)
    _notify(session, appeal, "withdrawn")
    return appeal


def complaint_is_late(appeal: Appeal, now: datetime) -> bool:
    return appeal.complaint_due is not None and local_day(appeal.centre, now) > appeal.complaint_due


def file_complaint(session: Session, appeal: Appeal, essence: str, late_reason: str | None, now: datetime) -> Complaint:
    """Complain against the decision. After the 3-month term it is still accepted, with the
    applicant's reason for the delay recorded."""
    lock(session, appeal, "status")
    if appeal.status != AppealStatus.DECIDED or appeal.complaint is not None:
        raise DomainError(
            _l("A complaint can be filed once, against a decided appeal."), code="complaint-not-possible", status=409
        )
    errors: dict[str, list] = {}
    essence = _required(errors, "essence", essence, ESSENCE_MAX)
    late = complaint_is_late(appeal, now)
    if late:
        late_reason = _required(errors, "late_reason", late_reason, TEXT_MAX)
    if errors:
        raise FieldErrors(errors)
    complaint = Complaint(
        appeal=appeal,
        essence=essence,
        filed_at=now,
        late=late,
        late_reason=late_reason if late else None,
        decision_due=deadlines.complaint_decide_by(local_day(appeal.centre, now)),
    )
    session.add(complaint)
    _record(appeal, "complaint-filed", now)
    _notify(session, appeal, "complaint-received", late=late, complaint_decision_due=complaint.decision_due.isoformat())
    return complaint
