"""The jobs. Each is a thin function over services, safe to run twice or in parallel: the
services are idempotent (set-based updates, unique outbox keys, rows claimed with SKIP LOCKED)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy.orm import Session

from app.booking.expiry import release_expired_holds
from app.booking.messages import queue_reminders
from app.core.clock import utcnow
from app.core.counters import JOB_FAILURES, JOB_SECONDS
from app.core.database import insert_for
from app.core.request_ids import new_request_id, request_id_bound
from app.exam.finishing import finish_expired_attempts, purge_anonymous_attempts
from app.extensions import db
from app.jobs.models import JobRun
from app.notify import delivery
from app.notify.senders import mailer_from_config, sms_from_config
from app.notify.telegram import telegram_from_config
from app.notify.whatsapp import whatsapp_from_config
from app.rounds.jobs import draw_due_rounds
from app.rounds.policies import announce_due
from app.staff.exam_day import mark_no_shows
from app.staff.schedule import DEFAULT_HORIZON_DAYS, generate_slots
from app.stats.rebuild import rebuild_for_app


def send_outbox(session: Session, now: datetime) -> str:
    """Deliver due messages, committing after each so every outcome is kept on its own."""
    config = current_app.config
    # One Telegram sender per process: its throttle counts across runs (30 a second, 1 per chat).
    telegram = current_app.extensions.get("kezek_telegram")
    if telegram is None and (telegram := telegram_from_config(config)) is not None:
        current_app.extensions["kezek_telegram"] = telegram
    channels = delivery.Channels(
        mailer_from_config(config), sms_from_config(config), telegram, whatsapp_from_config(config)
    )
    policy = delivery.RetryPolicy.from_config(current_app.config)
    outcomes: dict[str, int] = {}
    for message_id in delivery.due_message_ids(session, now):
        status = delivery.deliver(session, message_id, now, channels, policy)
        session.commit()
        if status:
            outcomes[status] = outcomes.get(status, 0) + 1
    return ", ".join(f"{count} {status}" for status, count in sorted(outcomes.items())) or "nothing due"


def _release_holds(session: Session, now: datetime) -> str:
    return f"{release_expired_holds(session, now)} holds released"


def _reminders(session: Session, now: datetime) -> str:
    return f"{queue_reminders(session, now)} reminders queued"


def _finish_attempts(session: Session, now: datetime) -> str:
    return f"{finish_expired_attempts(session, now)} exams finished"


def _generate_slots(session: Session, now: datetime) -> str:
    return f"{generate_slots(session, now, DEFAULT_HORIZON_DAYS)} slots added"


def _no_shows(session: Session, now: datetime) -> str:
    return f"{mark_no_shows(session, now)} no-shows marked"


def _rebuild_statistics(session: Session, now: datetime) -> str:
    summary = rebuild_for_app(session, now, current_app.config)
    return f"{summary.cells} statistics rows rebuilt"


def _purge_attempts(session: Session, now: datetime) -> str:
    days = current_app.config["ANONYMOUS_ATTEMPT_RETENTION_DAYS"]
    return f"{purge_anonymous_attempts(session, now - timedelta(days=days))} anonymous attempts purged"


@dataclass(frozen=True)
class Job:
    id: str
    function: Callable[[Session, datetime], str]
    trigger: dict  # APScheduler trigger arguments


JOBS = {
    job.id: job
    for job in (
        Job("release-expired-holds", _release_holds, {"trigger": "interval", "seconds": 30}),
        Job("queue-reminders", _reminders, {"trigger": "interval", "seconds": 60}),
        Job("send-outbox", send_outbox, {"trigger": "interval", "seconds": 20}),
        Job("finish-expired-attempts", _finish_attempts, {"trigger": "interval", "seconds": 60}),
        # A due draw runs within a minute of its time; drawing twice is harmless (the round is locked).
        Job("draw-rounds", draw_due_rounds, {"trigger": "interval", "seconds": 30}),
        # Release policies' rounds within a minute of their time; the unique week key makes it once.
        Job("announce-policy-rounds", announce_due, {"trigger": "interval", "seconds": 60}),
        Job("mark-no-shows", _no_shows, {"trigger": "interval", "seconds": 300}),
        Job("generate-slots", _generate_slots, {"trigger": "cron", "hour": 2, "minute": 0}),
        Job("purge-anonymous-attempts", _purge_attempts, {"trigger": "cron", "hour": 3, "minute": 30}),
        Job("rebuild-statistics", _rebuild_statistics, {"trigger": "cron", "hour": 4, "minute": 0}),
    )
}

_app: Flask | None = None


def bind(app: Flask) -> None:
    """The app the scheduler's threads run jobs in (jobs are stored by name, not as objects)."""
    global _app
    _app = app


def run(job_id: str) -> str:
    """Run one job in the bound app and log its run (APScheduler calls this by reference)."""
    if _app is None:
        raise RuntimeError("the scheduler has no app bound")
    with _app.app_context():
        return run_in_context(job_id)


def run_in_context(job_id: str) -> str:
    """Run one job under a request id of its own, so that its log lines can be followed."""
    with request_id_bound(f"job-{job_id}-{new_request_id()[:12]}"):
        return _run(job_id)


def _run(job_id: str) -> str:
    job = JOBS[job_id]
    started, clock_start = utcnow(), time.perf_counter()
    try:
        result = job.function(db.session, utcnow())
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        seconds = time.perf_counter() - clock_start
        JOB_SECONDS.labels(job_id).observe(seconds)
        JOB_FAILURES.labels(job_id).inc()
        _log_run(job_id, started, seconds, None, f"{error.__class__.__name__}: {error}")
        current_app.logger.exception("job %s failed", job_id)
        raise
    seconds = time.perf_counter() - clock_start
    JOB_SECONDS.labels(job_id).observe(seconds)
    _log_run(job_id, started, seconds, result, None)
    current_app.logger.info("job %s: %s (%.3f s)", job_id, result, seconds)
    return result


def _log_run(job_id: str, started: datetime, seconds: float, result: str | None, error: str | None) -> None:
    now = utcnow()
    values = {"started_at": started, "finished_at": now, "seconds": round(seconds, 3), "result": result}
    if error:
        values.update(last_error=error[:2000], last_error_at=now)
    statement = insert_for(db.session, JobRun).values(job_id=job_id, runs=1, failures=1 if error else 0, **values)
    table = JobRun.__table__
    statement = statement.on_conflict_do_update(
        index_elements=["job_id"],
        set_={**values, "runs": table.c.runs + 1, "failures": table.c.failures + (1 if error else 0)},
    )
    db.session.execute(statement)
    db.session.commit()
