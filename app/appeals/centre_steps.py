"""The centre's steps on a case: registration, referral, extension, decision, and the decision on a
complaint. Each locks the appeal first, so that two staff members acting at once take one step; the
staff member acting is recorded on the step's event."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from app.appeals import deadlines
from app.appeals.case_events import notify_applicant, record_event
from app.appeals.models import Appeal, AppealStatus, Complaint, Outcome
from app.appeals.step_rules import POSITION_MAX, TEXT_MAX, local_day, not_open, required_text
from app.centres.services import find_centre
from app.core.acting import Acting
from app.core.errors import DomainError, FieldErrors
from app.core.locking import lock


def register(acting: Acting, appeal: Appeal, position: str) -> Appeal:
    """The competent centre takes the case: its registrar (name and position) goes on the receipt."""
    lock(acting.session, appeal, "status")
    if appeal.status != AppealStatus.RECEIVED:
        raise not_open()
    errors: dict[str, list] = {}
    position = required_text(errors, "position", position, POSITION_MAX)
    if errors:
        raise FieldErrors(errors)
    appeal.status = AppealStatus.REGISTERED.value
    appeal.registered_at = acting.now
    appeal.registered_by = acting.actor
    appeal.registrar_name = acting.actor.full_name
    appeal.registrar_position = position
    record_event(appeal, "registered", acting.now, acting.actor)
    notify_applicant(
        acting.session, appeal, "registered", registrar_name=acting.actor.full_name, registrar_position=position
    )
    return appeal


def refer(acting: Acting, appeal: Appeal, centre_code: str, note: str) -> Appeal:
    """Send the case to the competent centre (once, before it is registered); the applicant is told."""
    lock(acting.session, appeal, "status", "referred_at")
    if appeal.status != AppealStatus.RECEIVED or appeal.referred_at is not None:
        raise not_open()
    errors: dict[str, list] = {}
    note = required_text(errors, "note", note, TEXT_MAX)
    target = find_centre(acting.session, centre_code or "")
    if target is None or target.id == appeal.centre_id:
        errors["centre"] = [_l("Choose another exam centre.")]
    if errors:
        raise FieldErrors(errors)
    appeal.centre_id, appeal.centre = target.id, target
    appeal.referred_at = acting.now
    appeal.referral_note = note
    record_event(appeal, "referred", acting.now, acting.actor)
    notify_applicant(acting.session, appeal, "referred", note=note)
    return appeal


def extend(acting: Acting, appeal: Appeal, until: date | None, reason: str) -> Appeal:
    """Extend the decision term once, by a reasoned decision taken before the term ends, up to two
    months from receipt; the applicant is told (the message is queued now, well within 3 working days)."""
    lock(acting.session, appeal, "status", "extended_at")
    if appeal.status != AppealStatus.REGISTERED or appeal.extended_at is not None:
        raise not_open()
    today = local_day(appeal.centre, acting.now)
    if today > appeal.decision_due:
        raise DomainError(
            _l("The decision term has already ended: it can no longer be extended."),
            code="deadline-passed",
            status=409,
        )
    errors: dict[str, list] = {}
    reason = required_text(errors, "reason", reason, TEXT_MAX)
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
    appeal.extended_at = acting.now
    appeal.extension_reason = reason
    appeal.extension_notice_due = deadlines.extension_notice_by(today)
    record_event(appeal, "extended", acting.now, acting.actor)
    notify_applicant(acting.session, appeal, "extended", reason=reason)
    return appeal


def _decision(errors: dict[str, list], outcome: str, reasons: str) -> tuple[str, str]:
    if outcome not in set(Outcome):
        errors["outcome"] = [_l("Choose the decision.")]
    return outcome, required_text(errors, "reasons", reasons, TEXT_MAX)


def decide(acting: Acting, appeal: Appeal, outcome: str, reasons: str) -> Appeal:
    """Decide a registered appeal with reasons; the decision goes to the applicant, and the term for
    a complaint starts (the applicant learns of the decision by this message)."""
    lock(acting.session, appeal, "status")
    if appeal.status != AppealStatus.REGISTERED:
        raise not_open()
    errors: dict[str, list] = {}
    outcome, reasons = _decision(errors, outcome, reasons)
    if errors:
        raise FieldErrors(errors)
    appeal.status = AppealStatus.DECIDED.value
    appeal.decided_at = acting.now
    appeal.decided_by = acting.actor
    appeal.outcome = outcome
    appeal.decision_reasons = reasons
    appeal.complaint_due = deadlines.complaint_by(local_day(appeal.centre, acting.now))
    record_event(appeal, "decided", acting.now, acting.actor)
    notify_applicant(
        acting.session,
        appeal,
        "decided",
        outcome=outcome,
        reasons=reasons,
        complaint_due=appeal.complaint_due.isoformat(),
    )
    return appeal


def decide_complaint(acting: Acting, appeal: Appeal, outcome: str, reasons: str) -> Complaint:
    """Decide the complaint. Not by the official who decided the appeal: nobody reviews their own decision."""
    # The appeal is locked for every step of its case, the complaint's too.
    lock(acting.session, appeal, "status")
    complaint = appeal.complaint
    if complaint is None or not complaint.is_pending:
        raise not_open()
    if appeal.decided_by_id == acting.actor.id:
        raise DomainError(
            _l("A complaint is decided by someone other than the official who decided the appeal."),
            code="own-decision",
            status=409,
        )
    errors: dict[str, list] = {}
    outcome, reasons = _decision(errors, outcome, reasons)
    if errors:
        raise FieldErrors(errors)
    complaint.decided_at = acting.now
    complaint.decided_by = acting.actor
    complaint.outcome = outcome
    complaint.decision_reasons = reasons
    record_event(appeal, "complaint-decided", acting.now, acting.actor)
    notify_applicant(acting.session, appeal, "complaint-decided", outcome=outcome, reasons=reasons)
    return complaint
