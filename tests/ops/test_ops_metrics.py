"""Prometheus metrics at /metrics move with real requests, holds, jobs and the outbox."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from app.booking.models import Booking
from app.core.clock import utcnow
from app.core.counters import HOLDS_TAKEN, count_on_commit
from app.extensions import db
from app.jobs import tasks
from app.notify.services import queue_message
from tests.conftest import PASSWORD
from tests.support.booking_support import NOW, freeze, hold, make_slot

ROOT = Path(__file__).resolve().parents[2]


def scrape(client) -> dict[tuple[str, tuple], float]:
    """Every sample of /metrics by (name, sorted labels)."""
    response = client.get("/metrics")
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for sample in family.samples
    }


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_request_latency_is_counted_by_endpoint(client):
    before = scrape(client)
    for _ in range(3):
        client.get("/healthz")
    client.get("/no-such-page")
    after = scrape(client)
    key = {"endpoint": "ops.healthz", "method": "GET", "status": "200"}
    assert (
        value(after, "kezek_http_request_duration_seconds_count", **key)
        - value(before, "kezek_http_request_duration_seconds_count", **key)
        == 3
    )
    assert value(after, "kezek_http_request_total", method="GET", status="404") >= 1


def test_holds_taken_through_the_api_and_bookings_by_status(client, app, make_user, centre):
    freeze(NOW)
    slot = make_slot(app)
    user = make_user()
    token = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD}).get_json()["token"]
    before = scrape(client)
    response = client.post("/api/v1/bookings", json={"slot_id": slot}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201
    after = scrape(client)
    assert value(after, "kezek_holds_taken_total") - value(before, "kezek_holds_taken_total") == 1
    assert value(after, "kezek_bookings", status="held") == 1
    endpoint = {"endpoint": "api_booking.Bookings", "method": "POST", "status": "201"}
    assert value(after, "kezek_http_request_duration_seconds_count", **endpoint) == 1


def test_a_hold_rolled_back_is_not_counted(app):
    before = HOLDS_TAKEN._value.get()
    with app.app_context():
        db.session.execute(sa.select(1))
        count_on_commit(db.session, HOLDS_TAKEN)
        db.session.rollback()
        db.session.execute(sa.select(1))
        db.session.commit()
    assert HOLDS_TAKEN._value.get() == before


def test_expired_holds_and_job_runs(client, app, make_user, centre):
    slot = make_slot(app, starts=utcnow() + timedelta(days=3))
    hold(app, make_user().id, slot, now=utcnow() - timedelta(hours=2))
    before = scrape(client)
    with app.app_context():
        assert tasks.run_in_context("release-expired-holds") == "1 holds released"
    after = scrape(client)
    assert value(after, "kezek_holds_expired_total") - value(before, "kezek_holds_expired_total") == 1
    assert value(after, "kezek_bookings", status="expired") == 1
    job = {"job": "release-expired-holds"}
    assert (
        value(after, "kezek_job_duration_seconds_count", **job)
        - value(before, "kezek_job_duration_seconds_count", **job)
        == 1
    )
    assert value(after, "kezek_job_runs_recorded_total", **job) == 1


def test_job_failures_are_counted(client, app, monkeypatch):
    def broken(session, now):
        raise RuntimeError("the SMS gateway is down")

    job = tasks.JOBS["queue-reminders"]
    monkeypatch.setitem(tasks.JOBS, job.id, tasks.Job(job.id, broken, job.trigger))
    before = scrape(client)
    with app.app_context(), pytest.raises(RuntimeError):
        tasks.run_in_context(job.id)
    after = scrape(client)
    labels = {"job": job.id}
    assert value(after, "kezek_job_failures_total", **labels) - value(before, "kezek_job_failures_total", **labels) == 1
    assert value(after, "kezek_job_failures_recorded_total", **labels) == 1


def test_outbox_backlog_and_age(client, app, make_user, centre):
    user = make_user()
    freeze(NOW)
    with app.app_context():
        from app.auth.models import User

        queue_message(db.session, kind="welcome", user=db.session.get(User, user.id), payload={}, key="ops-test")
        db.session.commit()
        assert db.session.query(Booking).count() == 0
    freeze(NOW + timedelta(minutes=5))
    samples = scrape(client)
    assert value(samples, "kezek_outbox_backlog") == 1
    assert value(samples, "kezek_outbox_oldest_age_seconds") == 300
    assert value(samples, "kezek_database_up") == 1


def test_metrics_survive_an_unreachable_database(app_factory):
    app = app_factory(
        SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:1/none",
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 1}},
    )
    samples = scrape(app.test_client())
    assert value(samples, "kezek_database_up") == 0
    assert ("kezek_holds_taken_total", ()) in samples


def test_every_exported_metric_is_documented_with_its_labels(client, runner):
    """The deployment guide's metrics table and the README's list name what /metrics really says."""
    assert runner.invoke(args=["scheduler", "run-job", "release-expired-holds"]).exit_code == 0
    client.get("/healthz")
    guide = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8").splitlines()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    families = list(text_string_to_metric_families(client.get("/metrics").get_data(as_text=True)))
    assert len(families) >= 12
    for family in families:
        if family.name.endswith("_created"):  # the text parser's view of a counter's creation time
            continue
        name = family.name + ("_total" if family.type == "counter" else "")
        (row,) = [line for line in guide if line.startswith("|") and f"`{name}`" in line]
        labels = {label for sample in family.samples for label in sample.labels} - {"le"}
        assert all(f"`{label}`" in row for label in labels), (name, labels)
        assert f"`{name}" in readme, name
