"""`flask scheduler run` as real processes next to the site, with a real SMTP server receiving:
started twice, every hold expires and every applicant gets exactly one confirmation; killed in the
middle of a batch and started again, nothing is lost and nothing is sent twice."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.booking.models import Booking
from app.core.clock import utcnow
from app.extensions import db
from app.jobs.leader import AdvisoryLock
from app.notify.models import OutboxMessage
from tests.conftest import BACKENDS
from tests.support.booking_support import POLICY, add_applicants, assert_booking_invariants, book, hold, make_slot
from tests.support.mail import Inbox
from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow  # scheduler processes


def start_scheduler(db_url: str, smtp_port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "KEZEK_ENV": "development",
        "DATABASE_URL": db_url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "SMS_BACKEND": "none",
        "KEZEK_JOB_INTERVAL_SECONDS": "1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_two_scheduler_processes_send_each_message_once(app, db_url, make_user, centre):
    inbox = Inbox()
    inbox.port, inbox.controller = free_port(), None
    inbox.up()
    now = utcnow()
    slot = make_slot(app, capacity=20, starts=now + timedelta(days=3))
    confirmed = [book(app, make_user(language="en").id, slot, now=now) for _ in range(6)]
    expired = [hold(app, make_user(language="en").id, slot, now=now - timedelta(hours=1)) for _ in range(3)]
    processes = [start_scheduler(db_url, inbox.port) for _ in range(2)]
    try:
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline and len(inbox.messages) < len(confirmed) + len(expired):
            time.sleep(0.5)
        time.sleep(3)  # let a duplicate, if any, arrive
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        outputs = [process.communicate(timeout=30)[0] for process in processes]
        inbox.down()
    subjects = [message["Subject"] for message in inbox.messages]
    assert sum(subject.startswith("Your exam is booked") for subject in subjects) == len(confirmed), outputs
    assert sum(subject.startswith("Your held place was released") for subject in subjects) == len(expired)
    assert len({message["Message-ID"] for message in inbox.messages}) == len(inbox.messages)
    with app.app_context():
        statuses = set(db.session.scalars(sa.select(Booking.status).where(Booking.id.in_(expired))))
        assert statuses == {"expired"}
    assert all(process.returncode == 0 for process in processes), outputs


STALL_AT = 8  # the message the mail server is receiving when the first scheduler is killed


class SlowInbox(Inbox):
    """A mail server that takes its time over each message's DATA, and over the `stall_at`-th one
    until its client has gone. A message counts as received once the server answers 250 to it;
    aiosmtpd cancels the handler of a client that disconnects before that, as a real server drops a
    message whose client vanished in the middle of DATA."""

    def __init__(self, seconds: float, stall_at: int):
        super().__init__()
        self.seconds, self.stall_at = seconds, stall_at
        self.entered = 0
        self.stalled = threading.Event()  # set while the stall_at-th message is being received

    async def handle_DATA(self, server, session, envelope):
        self.entered += 1
        if self.entered == self.stall_at:
            self.stalled.set()
            await asyncio.sleep(60)  # the test kills the sender meanwhile: this handler is cancelled
        await asyncio.sleep(self.seconds)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def slow_smtp():
    inbox = SlowInbox(seconds=0.1, stall_at=STALL_AT)
    inbox.port, inbox.controller = free_port(), None
    inbox.up()
    yield inbox
    inbox.down()


def leader_lock_taken(app) -> bool:
    """Does a session still hold the scheduler's advisory lock in this database? A killed leader's
    lock goes with its connection, as soon as the server sees the connection closed."""
    with app.app_context():
        return bool(
            db.session.scalar(
                sa.text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = :key"
                    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                ),
                {"key": AdvisoryLock.KEY},
            )
        )


@pytest.mark.postgres_only
@pytest.mark.parametrize("db_url", [b for b in BACKENDS if b == "postgresql"], indirect=True)
def test_scheduler_killed_mid_batch_and_started_again_loses_nothing_and_sends_nothing_twice(
    app, db_url, centre, slow_smtp
):
    people = iter(add_applicants(app, 24))
    now = utcnow()
    slot = make_slot(app, capacity=40, starts=now + timedelta(days=3))
    confirmed = [book(app, next(people), slot, now=now) for _ in range(20)]
    # Holds that run out a few seconds into the test (released by whichever process then runs),
    # and holds long expired (released by the first). Made in this order: taking a hold expires
    # the slot's holds already past their time.
    running_out = utcnow() - POLICY.hold_ttl + timedelta(seconds=3)
    expiring = [hold(app, next(people), slot, now=running_out) for _ in range(2)]
    expired = [hold(app, next(people), slot, now=now - timedelta(hours=1)) for _ in range(2)]
    released = expired + expiring
    processes = []
    try:
        first = start_scheduler(db_url, slow_smtp.port)
        processes.append(first)
        # The kill lands while the mail server is still receiving a message (no 250 yet): that
        # message is neither accepted nor marked sent, and the next process sends it once. A kill
        # after the 250 and before the commit would send it twice (README, "Reliability").
        assert slow_smtp.stalled.wait(30), "the first scheduler never reached the stalling message"
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        assert len(slow_smtp.messages) == STALL_AT - 1
        with app.app_context():
            sent = db.session.scalar(sa.select(sa.func.count()).where(OutboxMessage.status == "sent"))
        assert sent == STALL_AT - 1, "the message being received when the sender died was marked sent"

        deadline = time.monotonic() + 10
        while leader_lock_taken(app):
            assert time.monotonic() < deadline, "the killed scheduler's leader lock was never released"
            time.sleep(0.1)
        second = start_scheduler(db_url, slow_smtp.port)
        processes.append(second)
        # Done when every message is queued and marked sent: the server accepted each before that.
        deadline = time.monotonic() + 30
        while not all_sent(app, len(confirmed) + len(released)):
            assert second.poll() is None, "the second scheduler exited early"
            assert time.monotonic() < deadline, "the second scheduler did not finish"
            time.sleep(0.2)
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        outputs = [process.communicate(timeout=30)[0] for process in processes]

    ids = Counter(message["Message-ID"] for message in slow_smtp.messages)
    assert max(ids.values()) == 1, f"sent twice: {[id_ for id_, count in ids.items() if count > 1]}"
    with app.app_context():
        outbox = set(db.session.scalars(sa.select(OutboxMessage.id)))
        assert set(ids) == {f"<outbox-{id_}@kezek.kz>" for id_ in outbox}, "a message was lost"
        releases = Counter(  # one "hold-expired" message per released hold (its history has no row for it)
            db.session.scalars(sa.select(OutboxMessage.booking_id).where(OutboxMessage.kind == "hold-expired"))
        )
        assert releases == Counter(released), "a hold was not released exactly once"
        assert_booking_invariants(db.session)  # one hold-expired message per release, counters right
        email_of = dict(db.session.execute(sa.select(Booking.id, User.email).join(Booking.user)).all())
    received = Counter((message["To"], kind_of(message["Subject"])) for message in slow_smtp.messages)
    expected = Counter(
        [(email_of[b], "confirmation") for b in confirmed] + [(email_of[b], "released") for b in released]
    )
    assert received == expected
    assert processes[-1].returncode == 0, outputs


def kind_of(subject: str) -> str:
    for prefix, kind in (("Your exam is booked", "confirmation"), ("Your held place was released", "released")):
        if subject.startswith(prefix):
            return kind
    return subject


def all_sent(app, expected: int) -> bool:
    with app.app_context():
        statuses = Counter(db.session.scalars(sa.select(OutboxMessage.status)))
    return statuses == {"sent": expected}
