"""Answers practised on a device, sent in batches when it is online.

Each answer carries the UUID the device made for it. The insert skips a `client_id` the learner
has already sent (the unique constraint on (user_id, client_id), with ON CONFLICT DO NOTHING), so
a batch sent twice — a lost response, two tabs syncing at once — stores each answer once, even
when both arrive together: the database decides, and only the rows it inserted count. Those feed
the learner's progress and FSRS cards like any practice answer.

A device may be shared: each queued answer is tagged with the owner the device last saw signed in
(`device_owner`, an opaque tag, not the account's id), and a sync sends only the answers of the
account signed in now, plus those given signed out, which join whoever signs in next.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.exam.learner_progress import record_outcomes
from app.exam.models import PracticeAnswer, QuestionOption, QuestionRevision
from app.exam.spaced_repetition import Outcome


def device_owner(secret_key: str | bytes, user_id: int) -> str:
    """The tag a device files an account's queued answers under: stable for the account, the same
    on every device, and says nothing about the account to anyone without the server's key."""
    key = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return hmac.new(key, f"practice-device-owner:{user_id}".encode(), hashlib.sha256).hexdigest()[:32]


MAX_SECONDS = 600  # as for answers in an attempt: a phone left on the table is not time spent


@dataclass(frozen=True)
class DeviceAnswer:
    client_id: str
    question_id: int
    option_id: int
    answered_at: datetime
    seconds: int | None = None


@dataclass
class SyncResult:
    stored: list[str] = field(default_factory=list)
    already_stored: list[str] = field(default_factory=list)
    rejected: list[dict[str, str]] = field(default_factory=list)


def _insert(session: Session):
    dialect = session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(PracticeAnswer)


def store_answers(session: Session, user_id: int, answers: list[DeviceAnswer], now: datetime) -> SyncResult:
    """Store the answers not stored before; returns which were stored, already there, refused."""
    result = SyncResult()
    unique: dict[str, DeviceAnswer] = {}
    for answer in answers:
        unique.setdefault(answer.client_id.lower(), answer)
    options = {
        option_id: (question_id, is_correct)
        for option_id, question_id, is_correct in session.execute(
            select(QuestionOption.id, QuestionRevision.question_id, QuestionOption.is_correct)
            .join(QuestionRevision, QuestionRevision.id == QuestionOption.revision_id)
            .where(QuestionOption.id.in_({answer.option_id for answer in unique.values()}))
        )
    }
    rows = []
    for client_id, answer in unique.items():
        found = options.get(answer.option_id)
        if found is None or found[0] != answer.question_id:
            result.rejected.append({"client_id": client_id, "code": "unknown-option"})
            continue
        seconds = None if answer.seconds is None else max(0, min(answer.seconds, MAX_SECONDS))
        rows.append(
            {
                "user_id": user_id,
                "client_id": client_id,
                "question_id": answer.question_id,
                "option_id": answer.option_id,
                "is_correct": found[1],
                "answered_at": min(answer.answered_at, now),  # a device's clock may run ahead
                "seconds": seconds,
                "received_at": now,
            }
        )
    if not rows:
        return result
    statement = (
        _insert(session)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["user_id", "client_id"])
        .returning(PracticeAnswer.client_id)
    )
    inserted = set(session.scalars(statement))
    outcomes = []
    for row in rows:
        if row["client_id"] in inserted:
            result.stored.append(row["client_id"])
            outcomes.append(Outcome(row["question_id"], row["is_correct"], row["answered_at"], row["seconds"]))
        else:
            result.already_stored.append(row["client_id"])
    record_outcomes(session, user_id, outcomes, now)
    return result
