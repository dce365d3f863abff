"""The scheduler's own tables: APScheduler's job store, the leader lease, and a log of job runs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Float, Integer, LargeBinary, String, Table, Text, Unicode
from sqlalchemy.orm import Mapped, mapped_column

from app.core.types import UTCDateTime
from app.extensions import db

# APScheduler 3's SQLAlchemyJobStore table, declared here so that migrations own the schema
# (the job store finds it and does not create it).
apscheduler_jobs = Table(
    "apscheduler_jobs",
    db.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)


class SchedulerLease(db.Model):
    """Who runs the scheduler: a lease renewed by the leader (the lock that also works on SQLite;
    on PostgreSQL an advisory lock is taken as well)."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class JobRun(db.Model):
    """The last run of each job, for the admin page."""

    __tablename__ = "job_run"

    job_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    seconds: Mapped[float | None] = mapped_column(Float)
    result: Mapped[str | None] = mapped_column(String(200))
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    runs: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)
