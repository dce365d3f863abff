"""Scenarios timed inside the benchmark's own process, on the bench database: the scheduler's jobs
(called exactly as the job calls them) and the SQL statements each main page issues.

The job scenarios insert their data and run in one transaction that is rolled back (the hold sweep
commits its holds first, and deletes them after), so they leave the database as they found it; the
scheduler process has stopped by then and never sees their rows."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask

from app.auth import sessions
from app.auth.models import User
from app.booking.expiry import release_expired_holds
from app.booking.messages import queue_reminders
from app.core.clock import utcnow
from app.extensions import db
from app.stats.rebuild import rebuild_for_app


@dataclass(frozen=True)
class Timed:
    seconds: float
    statements: int
    rows: int


class StatementCounter:
    """Counts the SQL statements sent through the app's engine (a `before_cursor_execute` listener)."""

    def __init__(self, engine: sa.Engine):
        self.count = 0
        sa.event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args) -> None:
        self.count += 1

    @contextmanager
    def counting(self) -> Iterator[list[int]]:
        before, box = self.count, []
        yield box
        box.append(self.count - before)


_FRESH_USERS = """
    INSERT INTO user_account (email, password_hash, full_name, iin, role, active, failed_logins, created_at, updated_at)
    SELECT 'job-' || n || '@example.kz', 'x', 'Job User ' || n, lpad((800000000000 + n)::text, 12, '0'), 'user', true,
           0, now(), now()
    FROM generate_series(1, CAST(:n AS int)) AS n
"""

# One expired hold for each of :n fresh applicants (one hold per person), one per open slot ahead.
_EXPIRED_HOLDS = """
    WITH people AS (
        SELECT id, row_number() OVER (ORDER BY id) AS n FROM user_account WHERE email LIKE 'job-%'
    ), open AS (
        SELECT id, exam_type, category, row_number() OVER (ORDER BY id) AS n
        FROM slot WHERE starts_at > now() + interval '2 days' AND booked < capacity
    )
    INSERT INTO booking (user_id, slot_id, exam_type, category, status, hold_expires_at, ics_sequence,
                         reschedule_count, created_at)
    SELECT p.id, o.id, o.exam_type, o.category, 'held', now() - interval '1 minute', 0, 0, now() - interval '20 minutes'
    FROM people p JOIN open o ON o.n = 1 + (p.n - 1) % (SELECT count(*) FROM open)
"""

_HELD_PLACES = """
    UPDATE slot SET booked = booked {sign} held.n
    FROM (SELECT b.slot_id, count(*) AS n FROM booking b JOIN user_account u ON u.id = b.user_id
          WHERE b.status = 'held' AND u.email LIKE 'job-%' GROUP BY b.slot_id) held
    WHERE slot.id = held.slot_id
"""

_JOB_BOOKINGS_AND_USERS = (
    "DELETE FROM booking WHERE user_id IN (SELECT id FROM user_account WHERE email LIKE 'job-%')",
    "DELETE FROM user_account WHERE email LIKE 'job-%'",
)

# Confirmed practical exams for :n fresh applicants in the slots of the next day: the 24 h reminders' window.
_EXAMS_TOMORROW = """
    WITH people AS (
        SELECT id, row_number() OVER (ORDER BY id) AS n FROM user_account WHERE email LIKE 'job-%'
    ), soon AS (
        SELECT id, exam_type, category, row_number() OVER (ORDER BY id) AS n
        FROM slot WHERE starts_at > now() + interval '3 hours' AND starts_at <= now() + interval '23 hours'
    )
    INSERT INTO booking (user_id, slot_id, exam_type, category, status, ticket, consent_at, fee_receipt,
                         ics_sequence, reschedule_count, created_at, confirmed_at)
    SELECT p.id, s.id, s.exam_type, s.category, 'confirmed', 'BR-' || p.id, now(), 'R', 0, 0, now(), now()
    FROM people p JOIN soon s ON s.n = 1 + (p.n - 1) % (SELECT count(*) FROM soon)
"""


_QUEUED_FOR_JOB_USERS = """
    SELECT count(*) FROM outbox_message o JOIN user_account u ON u.id = o.user_id
    WHERE o.kind = 'reminder-24h' AND u.email LIKE 'job-%'
"""


def release_holds(app: Flask, counter: StatementCounter, holds: int) -> Timed:
    """One run of the hold sweep over `holds` expired holds.

    The holds are committed before the sweep, as in production, where earlier requests took them.
    Inserted in the sweep's own transaction, they would make PostgreSQL check the foreign keys of
    every row the sweep updates (it skips that check only for rows older than the transaction): a
    cost the real job never pays. The sweep is rolled back, then the holds are deleted."""
    with app.app_context():
        session = db.session
        session.execute(sa.text(_FRESH_USERS), {"n": holds})
        session.execute(sa.text(_EXPIRED_HOLDS))
        session.execute(sa.text(_HELD_PLACES.format(sign="+")))
        session.commit()
        # Holds that pile up over an outage are counted by autovacuum as they come; here they came at once.
        session.execute(sa.text("ANALYZE booking, slot"))
        session.commit()
        try:
            started = time.perf_counter()
            with counter.counting() as statements:
                released = release_expired_holds(session, utcnow())
            seconds = time.perf_counter() - started
        finally:
            session.rollback()
            session.execute(sa.text(_HELD_PLACES.format(sign="-")))
            for statement in _JOB_BOOKINGS_AND_USERS:
                session.execute(sa.text(statement))
            session.commit()
    return Timed(seconds, statements[0], released)


def queue_day_reminders(app: Flask, counter: StatementCounter, bookings: int) -> Timed:
    """One run of the reminder job with `bookings` confirmed exams starting within the next day."""
    with app.app_context():
        session = db.session
        try:
            session.execute(sa.text(_FRESH_USERS), {"n": bookings})
            session.execute(sa.text(_EXAMS_TOMORROW))
            started = time.perf_counter()
            with counter.counting() as statements:
                queue_reminders(session, utcnow())
            seconds = time.perf_counter() - started
            # Counted in the outbox: the job's own total comes from a row count PostgreSQL may not report.
            queued = session.scalar(sa.text(_QUEUED_FOR_JOB_USERS))
        finally:
            session.rollback()
    return Timed(seconds, statements[0], queued)


def rebuild_statistics(app: Flask) -> None:
    """What the nightly job does, so that the public statistics pages have their summary rows."""
    with app.app_context():
        rebuild_for_app(db.session, utcnow(), app.config)
        db.session.commit()


def start_attempt(app: Flask, plan: dict) -> int:
    """An exam in progress for the first applicant, started through the API as a learner would."""
    client = app.test_client()
    user_id = plan["api_user_ids"][0]
    response = client.post(
        "/api/v1/attempts",
        json={"profile": plan["profile"], "lang": "ru"},
        headers={"Authorization": f"Bearer {plan['token_prefix']}{user_id}"},
    )
    if response.status_code != 201:
        raise RuntimeError(f"starting an attempt failed: {response.status_code}")
    return response.get_json()["id"]


def page_statements(app: Flask, counter: StatementCounter, plan: dict, attempt_id: int) -> dict[str, int]:
    """SQL statements per request of each main page, each opened by the person who would open it."""
    with app.app_context():
        staff_id = db.session.scalar(
            sa.text("SELECT id FROM user_account WHERE email = :e"), {"e": plan["staff_email"]}
        )
    applicant_id = plan["api_user_ids"][0]
    pages = {
        "exam page": (applicant_id, f"/exam/attempts/{attempt_id}/1"),
        "calendar": (applicant_id, f"/booking/centres/{plan['centre_code']}?view=month&date={plan['month']}"),
        "my bookings": (applicant_id, "/booking/mine"),
        "roster": (staff_id, f"/staff/slots/{plan['roster_slot_id']}"),
        "dashboard": (staff_id, f"/staff/centres/{plan['centre_code']}/dashboard"),
        "statistics, city": (None, "/stats/"),
        "statistics, centre": (None, f"/stats/centres/{plan['centre_code']}"),
    }
    counts = {}
    for name, (user_id, path) in pages.items():
        client = app.test_client()
        if user_id is not None:
            with app.app_context():
                user = db.session.get(User, user_id)
                sessions.start(db.session, user, lifetime=timedelta(hours=1), now=utcnow())
                login_id = user.get_id()
                db.session.commit()
            with client.session_transaction() as cookie_session:
                cookie_session["_user_id"] = login_id  # signed in, as Flask-Login keeps it
        with counter.counting() as statements:
            response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{name} ({path}) answered {response.status_code}")
        counts[name] = statements[0]
    return counts
