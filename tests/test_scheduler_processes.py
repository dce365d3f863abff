"""`flask scheduler run` started twice, as two real processes, next to the site: every hold
expires, every applicant gets exactly one confirmation (a real SMTP server receives them)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from app.booking.models import Booking
from app.core.clock import utcnow
from app.extensions import db
from tests.booking_support import book, hold, make_slot
from tests.test_notifications import Inbox, free_port

ROOT = Path(__file__).resolve().parent.parent


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
