"""Finding appeals: an applicant's own, the cases a staff member handles, and the centres' queues
of cases that owe a step. Staff see only the appeals at their own centre; admins see all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.appeals import deadlines
from app.appeals.models import OPEN_STATUSES, Appeal, AppealStatus, Complaint
from app.appeals.step_rules import local_day
from app.auth.models import User


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
