"""The applicant's steps on their appeal: withdrawing it, and complaining against its decision."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from app.appeals import deadlines
from app.appeals.case_events import notify_applicant, record_event
from app.appeals.models import Appeal, AppealStatus, Complaint
from app.appeals.step_rules import ESSENCE_MAX, TEXT_MAX, local_day, not_open, required_text
from app.core.acting import Acting
from app.core.errors import DomainError, FieldErrors
from app.core.locking import lock


def withdraw(acting: Acting, appeal: Appeal) -> Appeal:
    """The applicant withdraws the appeal; possible until it is decided."""
    lock(acting.session, appeal, "status")
    if not appeal.is_open:
        raise not_open()
    appeal.status = AppealStatus.WITHDRAWN.value
    appeal.withdrawn_at = acting.now
    record_event(appeal, "withdrawn", acting.now)
    notify_applicant(acting.session, appeal, "withdrawn")
    return appeal


def complaint_is_late(appeal: Appeal, now: datetime) -> bool:
    return appeal.complaint_due is not None and local_day(appeal.centre, now) > appeal.complaint_due


def file_complaint(acting: Acting, appeal: Appeal, essence: str, late_reason: str | None) -> Complaint:
    """Complain against the decision. After the 3-month term it is still accepted, with the
    applicant's reason for the delay recorded."""
    lock(acting.session, appeal, "status")
    if appeal.status != AppealStatus.DECIDED or appeal.complaint is not None:
        raise DomainError(
            _l("A complaint can be filed once, against a decided appeal."), code="complaint-not-possible", status=409
        )
    errors: dict[str, list] = {}
    essence = required_text(errors, "essence", essence, ESSENCE_MAX)
    late = complaint_is_late(appeal, acting.now)
    if late:
        late_reason = required_text(errors, "late_reason", late_reason, TEXT_MAX)
    if errors:
        raise FieldErrors(errors)
    complaint = Complaint(
        appeal=appeal,
        essence=essence,
        filed_at=acting.now,
        late=late,
        late_reason=late_reason if late else None,
        decision_due=deadlines.complaint_decide_by(local_day(appeal.centre, acting.now)),
    )
    acting.session.add(complaint)
    record_event(appeal, "complaint-filed", acting.now)
    notify_applicant(
        acting.session,
        appeal,
        "complaint-received",
        late=late,
        complaint_decision_due=complaint.decision_due.isoformat(),
    )
    return complaint
