"""The scheduler: jobs set up right, a leader lock on SQLite and PostgreSQL, set-based sweeps."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.booking.expiry import release_expired_holds
from app.booking.models import Booking, BookingEvent, Slot
from app.extensions import db
from app.jobs import scheduler as scheduler_module
from app.jobs import tasks
from app.jobs.leader import AdvisoryLock, LeaseLock, leader_lock_for
from app.jobs.models import JobRun
from app.notify.models import OutboxMessage
from tests.conftest import BACKENDS
from tests.support.booking_support import NOW, freeze, make_slot


def test_jobs_have_ids_coalesce_and_minutes_of_grace(app):
    scheduler = scheduler_module.build_scheduler(app)
    try:
        scheduler.start(paused=True)
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == set(tasks.JOBS)
        for job in jobs.values():
            assert job.coalesce is True
            assert job.misfire_grace_time >= 120
            assert job.max_instances == 1
        # Built twice (a restart): the stored jobs are replaced, not doubled.
        again = scheduler_module.build_scheduler(app)
        again.start(paused=True)
        assert len(again.get_jobs()) == len(tasks.JOBS)
        again.shutdown(wait=False)
    finally:
        scheduler.shutdown(wait=False)
    with app.app_context():
        stored = db.session.execute(sa.text("SELECT count(*) FROM apscheduler_jobs")).scalar()
        assert stored == len(tasks.JOBS)


def test_a_job_run_is_logged_with_its_errors(app):
    with app.app_context():
        tasks.run_in_context("finish-expired-attempts")
        run = db.session.get(JobRun, "finish-expired-attempts")
        assert (run.runs, run.failures, run.result) == (1, 0, "0 exams finished")
    tasks.JOBS["boom"] = tasks.Job("boom", lambda session, now: 1 / 0, {"trigger": "interval", "seconds": 60})
    try:
        with app.app_context(), pytest.raises(ZeroDivisionError):
            tasks.run_in_context("boom")
        with app.app_context():
            run = db.session.get(JobRun, "boom")
            assert run.failures == 1
            assert "ZeroDivisionError" in run.last_error
    finally:
        del tasks.JOBS["boom"]


def test_lease_lock_admits_one_leader_until_it_expires(app):
    with app.app_context():
        engine = db.engine
    first = LeaseLock(engine, owner="a", ttl=timedelta(seconds=60))
    second = LeaseLock(engine, owner="b", ttl=timedelta(seconds=60))
    assert first.acquire(NOW) is True
    assert second.acquire(NOW) is False
    assert first.renew(NOW + timedelta(seconds=30)) is True
    assert second.acquire(NOW + timedelta(seconds=60)) is False  # renewed: still a's
    assert second.acquire(NOW + timedelta(seconds=91)) is True  # a stopped renewing
    assert first.renew(NOW + timedelta(seconds=92)) is False
    second.release()
    assert first.acquire(NOW + timedelta(seconds=93)) is True


def test_postgres_uses_an_advisory_lock(app, db_url):
    with app.app_context():
        engine = db.engine
    if not db_url.startswith("postgresql"):
        assert isinstance(leader_lock_for(engine), LeaseLock)
        return
    first, second = AdvisoryLock(engine, owner="a"), AdvisoryLock(engine, owner="b")
    try:
        assert first.acquire(NOW) is True
        assert second.acquire(NOW) is False
        assert first.renew(NOW) is True
        first.release()
        assert second.acquire(NOW) is True
    finally:
        first.release()
        second.release()


def test_two_schedulers_started_at_once_lead_one_at_a_time(app, monkeypatch):
    monkeypatch.setattr(scheduler_module, "RENEW_SECONDS", 0.2)
    monkeypatch.setattr(scheduler_module, "STANDBY_POLL_SECONDS", 0.2)
    leading = []
    started = []

    def build(application):
        started.append(threading.current_thread().name)
        leading.append(1)
        return FakeScheduler(leading)

    monkeypatch.setattr(scheduler_module, "build_scheduler", build)
    stop = threading.Event()
    threads = [
        threading.Thread(target=scheduler_module.run_scheduler, args=(app, stop), name=f"scheduler-{n}")
        for n in range(2)
    ]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    stop.set()
    for thread in threads:
        thread.join(10)
    assert len(started) == 1  # the other stood by the whole time
    assert leading == []  # and the leader shut its jobs down on stop


class FakeScheduler:
    def __init__(self, leading):
        self.leading = leading

    def start(self):
        pass

    def shutdown(self, wait=True):
        self.leading.pop()


def insert_expired_holds(app, slot_id: int, count: int, first_user: int) -> None:
    """`count` expired holds on a slot, inserted in bulk (one user each: one hold per person)."""
    with app.app_context():
        db.session.execute(
            sa.insert(User.__table__),
            [
                {
                    "id": first_user + n,
                    "email": f"bulk{first_user + n}@example.kz",
                    "password_hash": "x",
                    "full_name": "Bulk",
                    "iin": f"{first_user + n:012d}",
                    "role": "user",
                    "active": True,
                    "failed_logins": 0,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for n in range(count)
            ],
        )
        db.session.execute(
            sa.insert(Booking.__table__),
            [
                {
                    "user_id": first_user + n,
                    "slot_id": slot_id,
                    "exam_type": "theory",
                    "category": "B",
                    "status": "held",
                    "hold_expires_at": NOW - timedelta(minutes=1),
                    "created_at": NOW,
                    "ics_sequence": 0,
                    "reschedule_count": 0,
                }
                for n in range(count)
            ],
        )
        db.session.execute(sa.update(Slot).where(Slot.id == slot_id).values(booked=Slot.booked + count))
        db.session.commit()


@pytest.mark.parametrize("sizes", [(20, 2000)])
def test_expired_holds_are_released_in_bulk(app, centre, sizes):
    """The same statements, with the same number of parameters, however many holds: nothing is sent
    per hold (an executemany of one row per hold was the cost of the sweep at 100 000 holds)."""
    freeze(NOW)
    shapes = []
    for index, size in enumerate(sizes):
        slot = make_slot(app, capacity=size, starts=NOW + timedelta(days=3 + index))
        insert_expired_holds(app, slot, size, first_user=100_000 * (index + 1))
        statements = []
        with app.app_context():
            engine = db.engine

            def seen(conn, cursor, statement, parameters, context, executemany, statements=statements):
                statements.append((statement, len(parameters), executemany))

            sa.event.listen(engine, "before_cursor_execute", seen)
            try:
                released = release_expired_holds(db.session, NOW)
                db.session.commit()
            finally:
                sa.event.remove(engine, "before_cursor_execute", seen)
            assert released == size
            assert db.session.get(Slot, slot).booked == 0
            assert db.session.scalar(
                sa.select(sa.func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "hold-expired")
            ) == sum(sizes[: index + 1])
            assert db.session.scalar(
                sa.select(sa.func.count()).select_from(Booking).where(Booking.status == "expired")
            ) == sum(sizes[: index + 1])
            # The history's "expired" step is the booking's own (Booking.events): no row per hold.
            assert db.session.scalar(sa.select(sa.func.count()).select_from(BookingEvent)) == 0
        assert not any(executemany for *_, executemany in statements)
        shapes.append([(statement, parameters) for statement, parameters, _ in statements])
    assert shapes[0] == shapes[1]


@pytest.mark.postgres_only
@pytest.mark.parametrize("db_url", [b for b in BACKENDS if b == "postgresql"], indirect=True)
def test_two_sweeps_at_once_release_each_hold_once(app, centre):
    """The UPDATE is the claim: a second sweep waits for the first one's rows, then skips them, and
    frees no place, writes no history and queues no message twice."""
    freeze(NOW)
    slot = make_slot(app, capacity=50, starts=NOW + timedelta(days=3))
    insert_expired_holds(app, slot, 50, first_user=100_000)
    first_swept, second_waits = threading.Event(), threading.Event()
    released = {}

    def sweep(name, before_commit):
        with app.app_context():
            released[name] = release_expired_holds(db.session, NOW)
            before_commit()
            db.session.commit()

    def first_commit_after_second_waits():
        first_swept.set()
        assert second_waits.wait(10)

    first = threading.Thread(target=sweep, args=("first", first_commit_after_second_waits))
    first.start()
    assert first_swept.wait(10)
    second = threading.Thread(target=sweep, args=("second", lambda: None))
    second.start()
    with app.app_context():  # bounded polling: the second sweep is blocked on the first one's rows
        for _ in range(200):
            waiting = db.session.scalar(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
            db.session.rollback()
            if waiting:
                break
            time.sleep(0.05)
    second_waits.set()
    first.join(10)
    second.join(10)
    assert waiting
    assert released == {"first": 50, "second": 0}
    with app.app_context():
        assert db.session.get(Slot, slot).booked == 0
        count = sa.select(sa.func.count())
        assert db.session.scalar(count.select_from(Booking).where(Booking.status == "expired")) == 50
        assert db.session.scalar(count.select_from(OutboxMessage).where(OutboxMessage.kind == "hold-expired")) == 50
