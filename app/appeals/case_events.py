"""What every appeal step leaves behind: an event in the case's history and one outbox message to
the applicant, keyed `appeal:{id}:{event}` so that a step retried after a failure sends it once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.appeals.models import Appeal, AppealEvent
from app.auth.models import User
from app.notify.services import queue_message


def record_event(appeal: Appeal, action: str, now: datetime, actor: User | None = None) -> None:
    appeal.events.append(AppealEvent(action=action, at=now, actor=actor, centre_id=appeal.centre_id))


def notify_applicant(session: Session, appeal: Appeal, event: str, **details) -> None:
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
