"""`flask scheduler run` as a real process sending the outbox to Telegram (a slow fake Bot API on
127.0.0.1), killed with SIGKILL while a sendMessage is in flight and started again: no message is
lost, and only the one in flight at the kill reaches Telegram twice (docs/messaging.md)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.core.clock import utcnow
from app.extensions import db
from app.notify.models import MessageSettings, OutboxMessage
from tests.conftest import BACKENDS
from tests.ops.test_scheduler_processes import leader_lock_taken
from tests.support import fake_services
from tests.support.booking_support import add_applicants, book, make_slot

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow  # scheduler processes

MESSAGES = 30
KILL_AT = 11  # the sendMessage the Bot API is answering (0.5 s each) when the scheduler is killed
FIRST_CHAT = 700000


def start_scheduler(db_url: str, bot_url: str, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "KEZEK_ENV": "development",
        "DATABASE_URL": db_url,
        "MAIL_SERVER": "",
        "SMS_BACKEND": "none",
        "TELEGRAM_BOT_TOKEN": "123456:TEST",
        "TELEGRAM_API_BASE_URL": bot_url,
        "TELEGRAM_TIMEOUT": "5",
        "KEZEK_JOB_INTERVAL_SECONDS": "1",
    }
    # Its output goes to a file: a pipe nobody reads while it runs could fill and stall it.
    with log.open("a") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def confirmations_by_telegram(app, count: int) -> dict[int, int]:
    """`count` people, each with a chat linked and confirmations chosen by Telegram alone, each with
    a booking whose confirmation waits in the outbox; returns {chat id: outbox message id}."""
    people = add_applicants(app, count)
    now = utcnow()
    with app.app_context():
        for number, user_id in enumerate(people):
            db.session.add(
                MessageSettings(
                    user_id=user_id,
                    telegram_chat_id=FIRST_CHAT + number,
                    telegram_linked_at=now,
                    choices={"confirmation": ["telegram"]},
                )
            )
        db.session.commit()
    slot = make_slot(app, capacity=count, starts=now + timedelta(days=3))
    for user_id in people:
        book(app, user_id, slot, now=now)
    with app.app_context():
        rows = db.session.execute(
            sa.select(MessageSettings.telegram_chat_id, OutboxMessage.id).join(
                OutboxMessage, OutboxMessage.user_id == MessageSettings.user_id
            )
        ).all()
    assert len(rows) == count
    return dict(rows)


def marks(app) -> dict[int, tuple]:
    """{message id: (status, telegram_sent_at, email_sent_at, attempts)} of every outbox row."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(
                OutboxMessage.id,
                OutboxMessage.status,
                OutboxMessage.telegram_sent_at,
                OutboxMessage.email_sent_at,
                OutboxMessage.attempts,
            )
        ).all()
    return {row[0]: tuple(row[1:]) for row in rows}


@pytest.fixture
def slow_bot():
    service = fake_services.bot_api(delay=0.5)
    yield service
    service.stop()


@pytest.mark.postgres_only
@pytest.mark.parametrize("db_url", [b for b in BACKENDS if b == "postgresql"], indirect=True)
def test_scheduler_killed_mid_send_to_telegram_loses_nothing_and_repeats_only_the_call_in_flight(
    app, db_url, centre, slow_bot, tmp_path
):
    message_of_chat = confirmations_by_telegram(app, MESSAGES)
    log = tmp_path / "scheduler.log"
    processes = []
    try:
        first = start_scheduler(db_url, slow_bot.url, log)
        processes.append(first)
        deadline = time.monotonic() + 60
        while len(slow_bot.received) < KILL_AT:
            assert first.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the scheduler never reached the Bot API"
            time.sleep(0.005)
        # The KILL_AT-th request has arrived and waits 0.5 s for its answer: the kill lands now.
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        arrived = [call.json["chat_id"] for call in slow_bot.calls("/sendMessage")]
        assert len(arrived) == KILL_AT
        at_kill = marks(app)
        marked = {id_: row for id_, row in at_kill.items() if row[1] is not None}
        in_flight = [chat for chat in arrived if message_of_chat[chat] not in marked]
        # Sent one at a time: the calls answered before the kill are each marked, committed; the
        # one whose answer never came is not.
        assert len(marked) == KILL_AT - 1
        assert len(in_flight) == 1
        assert all(row[0] == "sent" for row in marked.values())

        deadline = time.monotonic() + 10
        while leader_lock_taken(app):
            assert time.monotonic() < deadline, "the killed scheduler's leader lock was never released"
            time.sleep(0.1)
        second = start_scheduler(db_url, slow_bot.url, log)
        processes.append(second)
        deadline = time.monotonic() + 60
        while any(row[0] != "sent" for row in marks(app).values()):
            assert second.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the outbox was not drained after the restart"
            time.sleep(0.2)
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(30)

    received = Counter(call.json["chat_id"] for call in slow_bot.calls("/sendMessage"))
    assert set(received) == set(message_of_chat), "a message never reached Telegram"
    # Exactly once for every message but the one in flight at the kill; that one reached Telegram
    # before the kill (its request had arrived) and again after the restart: at least once.
    assert received == Counter({chat: 2 if chat in in_flight else 1 for chat in message_of_chat})
    final = marks(app)
    for status, telegram_sent_at, email_sent_at, attempts in final.values():
        assert status == "sent"
        assert telegram_sent_at is not None
        assert email_sent_at is None  # Telegram alone, as chosen for confirmations
        assert attempts == 0  # a killed send is no failed attempt
    assert {id_: final[id_] for id_ in marked} == marked, "a message marked before the kill was marked again"
    assert processes[-1].returncode == 0, log.read_text()
