"""Structured logs: every line carries the request id (or the job run's id), never personal data."""

from __future__ import annotations

import json
import logging
from datetime import date

import pytest
import sqlalchemy as sa

from app.auth.iin import make_iin
from app.core.request_ids import request_id_bound
from app.extensions import db
from app.jobs import tasks
from app.notify.models import OutboxMessage
from app.ops.logs import JsonFormatter, scrub
from tests.conftest import PASSWORD
from tests.support.booking_support import NOW, freeze, make_slot

IIN = make_iin(date(1995, 1, 1), "female", 1234)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("login failed for aigerim.s+test@mail.kz", "login failed for [email]"),
        ("IIN 950101300038 refused", "IIN [iin] refused"),
        ("call +7 701 123 45 67 now", "call [phone] now"),
        ("call 8(701)123-45-67 now", "call [phone] now"),
        ("sms to 87011234567", "sms to [phone]"),
        ("sms to +77011234567", "sms to [phone]"),
        ("sms to +44 20 7946 0958", "sms to [phone]"),
        # Not personal data: ids, times, amounts and 11- or 13-digit numbers that are no IIN.
        ("booking 123456 at 2026-12-03 09:00", "booking 123456 at 2026-12-03 09:00"),
        ("receipt KZ-2026-000123", "receipt KZ-2026-000123"),
        ("1234567890123 rows", "1234567890123 rows"),
    ],
)
def test_personal_data_is_scrubbed(text, expected):
    assert scrub(text) == expected


def test_every_log_record_is_scrubbed_whatever_the_handler(app, caplog):
    caplog.set_level(logging.INFO)
    logging.getLogger("anything").warning("user %s, IIN %s, phone %s", "a@b.kz", "950101300038", "+7 701 123 45 67")
    (record,) = caplog.records
    assert record.getMessage() == "user [email], IIN [iin], phone [phone]"


def test_a_logged_traceback_is_scrubbed_too(app, caplog):
    """Database errors quote the offending row, and a traceback repeats the error's message."""
    caplog.set_level(logging.ERROR)
    try:
        raise ValueError("Key (iin)=(950101300038) already exists.")
    except ValueError:
        logging.getLogger("kezek.test").exception("insert failed")
    (record,) = caplog.records
    assert "Key (iin)=([iin]) already exists." in caplog.text
    assert "950101300038" not in caplog.text + JsonFormatter().format(record)


def test_a_sane_incoming_request_id_is_kept_and_echoed(client, caplog):
    caplog.set_level(logging.INFO)
    response = client.get("/healthz", headers={"X-Request-ID": "lb-4f1c2a9e-0001"})
    assert response.headers["X-Request-ID"] == "lb-4f1c2a9e-0001"
    (access,) = [record for record in caplog.records if record.name == "kezek.access"]
    assert access.request_id == "lb-4f1c2a9e-0001"
    assert (access.method, access.path, access.status) == ("GET", "/healthz", 200)


@pytest.mark.parametrize("incoming", [None, "", "short", "has spaces in it", "x" * 101, "<script>alert(1)</script>"])
def test_other_request_ids_are_replaced_by_a_fresh_one(client, incoming):
    headers = {"X-Request-ID": incoming} if incoming is not None else {}
    first = client.get("/healthz", headers=headers).headers["X-Request-ID"]
    second = client.get("/healthz", headers=headers).headers["X-Request-ID"]
    assert first != incoming
    assert len(first) == 32
    assert int(first, 16) >= 0
    assert first != second


def test_request_logs_hold_no_personal_data(client, caplog):
    caplog.set_level(logging.DEBUG)
    body = {
        "email": "dana.nur@example.kz",
        "password": PASSWORD,
        "full_name": "Dana Nur",
        "iin": IIN,
        "phone": "+7 701 123 45 67",
    }
    assert client.post("/api/v1/auth/register", json=body).status_code == 202
    client.post("/api/v1/auth/token", json={"email": body["email"], "password": "wrong-password-1"})
    client.get("/account/login?next=/?email=dana.nur@example.kz")
    logged = caplog.text + "".join(JsonFormatter().format(record) for record in caplog.records)
    assert caplog.records
    for secret in ("dana.nur@example.kz", IIN, "701 123 45 67", "7011234567"):
        assert secret not in logged


def test_a_job_run_logs_under_a_request_id_of_its_own(app, runner, caplog):
    caplog.set_level(logging.INFO)
    result = runner.invoke(args=["scheduler", "run-job", "release-expired-holds"])
    assert result.exit_code == 0, result.output
    (line,) = [record for record in caplog.records if record.getMessage().startswith("job release-expired-holds")]
    assert line.request_id.startswith("job-release-expired-holds-")


def test_json_lines_carry_the_request_id(app):
    with request_id_bound("req-12345678"):
        record = logging.getLogger("kezek.test").makeRecord(
            "kezek.test", logging.INFO, __file__, 1, "sent to %s", ("a@b.kz",), None
        )
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "req-12345678"
    assert line["message"] == "sent to [email]"
    assert line["level"] == "INFO"


def test_a_message_carries_the_request_that_queued_it_into_its_sending(app, client, make_user, centre, caplog):
    freeze(NOW)
    slot = make_slot(app)
    user = make_user(language="en")
    token = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}", "X-Request-ID": "lb-confirm-0001"}
    booking = client.post("/api/v1/bookings", json={"slot_id": slot}, headers=headers).get_json()["id"]
    confirmation = {"consent_personal_data": True, "fee_receipt": "KZ-2026-000123"}
    assert client.post(f"/api/v1/bookings/{booking}/confirm", json=confirmation, headers=headers).status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(OutboxMessage.request_id)) == "lb-confirm-0001"

    caplog.set_level(logging.INFO)
    with app.app_context():
        tasks.run_in_context("send-outbox")
    (sent,) = [record for record in caplog.records if record.name == "kezek.outbox"]
    assert sent.getMessage().endswith("sent; queued under request lb-confirm-0001")
    assert sent.request_id.startswith("job-send-outbox-")
