"""Only one scheduler may run jobs at a time, even if two are started by mistake.

PostgreSQL: a session-level advisory lock held on a dedicated connection (released by the
server if the process dies). Any database (SQLite included): a lease row that the leader renews;
another process takes over only once the lease has run out.
"""

from __future__ import annotations

import os
import socket
import uuid
import zlib
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.engine import Connection, Engine

from app.core.database import insert_for
from app.jobs.models import SchedulerLease

LOCK_NAME = "kezek-scheduler"


def default_owner() -> str:
    """Host and process, plus a random part: two schedulers in one process are two owners too."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class LeaseLock:
    """A lease in the `scheduler_lease` table: taken when free or expired, renewed by its owner."""

    def __init__(self, engine: Engine, *, owner: str | None = None, ttl: timedelta = timedelta(seconds=60)):
        self.engine = engine
        self.owner = owner or default_owner()
        self.ttl = ttl

    def acquire(self, now: datetime) -> bool:
        """Take or renew the lease; True when this process holds it now."""
        from sqlalchemy.orm import Session

        with Session(self.engine) as session, session.begin():
            table = SchedulerLease.__table__
            statement = insert_for(session, SchedulerLease).values(
                name=LOCK_NAME, owner=self.owner, expires_at=now + self.ttl
            )
            statement = statement.on_conflict_do_update(
                index_elements=["name"],
                set_={"owner": self.owner, "expires_at": now + self.ttl},
                where=(table.c.owner == self.owner) | (table.c.expires_at <= now),
            )
            session.execute(statement)
            holder = session.scalar(select(SchedulerLease.owner).where(SchedulerLease.name == LOCK_NAME))
        return holder == self.owner

    renew = acquire

    def release(self) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                SchedulerLease.__table__.delete().where(
                    SchedulerLease.name == LOCK_NAME, SchedulerLease.owner == self.owner
                )
            )


class AdvisoryLock:
    """PostgreSQL's session-level advisory lock on a connection kept for as long as we lead."""

    KEY = zlib.crc32(LOCK_NAME.encode())  # a stable 32-bit key

    def __init__(self, engine: Engine, *, owner: str | None = None):
        self.engine = engine
        self.owner = owner or default_owner()
        self.connection: Connection | None = None

    def acquire(self, now: datetime) -> bool:
        if self.connection is not None:
            return self.renew(now)
        connection = self.engine.connect()
        taken = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.KEY}).scalar()
        connection.commit()
        if taken:
            self.connection = connection
            return True
        connection.close()
        return False

    def renew(self, now: datetime) -> bool:
        """Still the leader while the lock's connection is alive."""
        if self.connection is None:
            return self.acquire(now)
        try:
            self.connection.execute(text("SELECT 1"))
            self.connection.commit()
        except Exception:  # the connection (and with it the lock) is gone
            self.connection = None
            return False
        return True

    def release(self) -> None:
        if self.connection is not None:
            try:
                self.connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.KEY})
                self.connection.commit()
            finally:
                self.connection.close()
                self.connection = None


def leader_lock_for(engine: Engine, owner: str | None = None):
    if engine.dialect.name == "postgresql":
        return AdvisoryLock(engine, owner=owner)
    return LeaseLock(engine, owner=owner)
