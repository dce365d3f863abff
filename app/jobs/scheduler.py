"""Building and running the scheduler process (never inside a gunicorn worker)."""

from __future__ import annotations

import logging
import threading

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from app.core.clock import utcnow
from app.extensions import db
from app.jobs import tasks
from app.jobs.leader import leader_lock_for

log = logging.getLogger("kezek.scheduler")
RENEW_SECONDS = 15  # well inside the lease's 60 s
STANDBY_POLL_SECONDS = 10


def build_scheduler(app: Flask) -> BackgroundScheduler:
    """APScheduler with the SQLAlchemy job store; every job by explicit id, replacing the stored
    one, coalescing missed runs into one and tolerating lateness of minutes, not one second."""
    tasks.bind(app)
    with app.app_context():
        engine = db.engine
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename="apscheduler_jobs")},
        job_defaults={"coalesce": True, "misfire_grace_time": 300, "max_instances": 1},
        timezone="UTC",
    )
    for job in tasks.JOBS.values():
        trigger = dict(job.trigger)
        if trigger["trigger"] == "interval" and app.config["JOB_INTERVAL_SECONDS"]:
            trigger["seconds"] = app.config["JOB_INTERVAL_SECONDS"]
        if trigger["trigger"] == "cron":
            trigger["timezone"] = app.config["BABEL_DEFAULT_TIMEZONE"]
        scheduler.add_job("app.jobs.tasks:run", args=[job.id], id=job.id, name=job.id, replace_existing=True, **trigger)
    return scheduler


def run_scheduler(app: Flask, stop: threading.Event | None = None) -> None:
    """Lead when the lock is free, stand by while another process leads; until `stop` is set."""
    stop = stop or threading.Event()
    with app.app_context():
        lock = leader_lock_for(db.engine)
    while not stop.is_set():
        if not lock.acquire(utcnow()):
            log.info("scheduler on standby: another process leads")
            stop.wait(STANDBY_POLL_SECONDS)
            continue
        log.info("scheduler leading as %s", lock.owner)
        scheduler = build_scheduler(app)
        scheduler.start()
        try:
            while not stop.wait(RENEW_SECONDS):
                if not lock.renew(utcnow()):
                    log.warning("scheduler lost the leader lock; stopping its jobs")
                    break
        finally:
            scheduler.shutdown(wait=True)
            lock.release()


def start_embedded(app: Flask) -> threading.Thread:
    """`make run`: the scheduler in a thread of the development server (never under gunicorn)."""
    thread = threading.Thread(target=run_scheduler, args=(app,), name="kezek-scheduler", daemon=True)
    thread.start()
    return thread
