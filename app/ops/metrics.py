"""Prometheus metrics at `/metrics` (prometheus-flask-exporter).

Three kinds:
- HTTP request latency and counts by endpoint (the exporter's defaults);
- counters of events in this process — holds taken and expired, job durations and failures —
  counted only once the transaction that made them has committed;
- figures read from the shared database at scrape time — bookings by status, the outbox's backlog
  and age, each job's recorded runs — so every instance reports the same, whichever one is scraped.

Only allowed scrapers read them (`may_scrape`): an address of KEZEK_METRICS_ALLOW (loopback by
default) or the bearer token KEZEK_METRICS_TOKEN; they name jobs, endpoints and the outbox's state.

Each app gets its own registry (tests build many apps in one process). Under gunicorn with
`PROMETHEUS_MULTIPROC_DIR` set, counters are kept in files shared by the workers and the scrape
merges them (prometheus_client's multiprocess mode).
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Mapping
from datetime import datetime
from functools import wraps
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network
from typing import Any

from flask import Flask, abort, request
from prometheus_client import CollectorRegistry, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import choose_encoder
from prometheus_flask_exporter import PrometheusMetrics
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from app.booking.models import Booking
from app.core.clock import utcnow
from app.core.counters import PROCESS_METRICS
from app.extensions import db
from app.jobs.models import JobRun
from app.notify.delivery import Status
from app.notify.models import OutboxMessage


class DatabaseCollector:
    """Figures of the shared database, read when Prometheus scrapes (inside the /metrics request)."""

    def __init__(self, app: Flask):
        self.app = app

    def describe(self):
        return []  # nothing to read at registration time (no database access outside a scrape)

    def collect(self):
        try:
            with self.app.app_context(), db.engine.connect() as connection:
                bookings = connection.execute(
                    select(Booking.status, func.count().label("count")).group_by(Booking.status)
                ).all()
                outbox = connection.execute(
                    select(func.count().label("backlog"), func.min(OutboxMessage.created_at).label("oldest")).where(
                        OutboxMessage.status == Status.PENDING
                    )
                ).one()
                jobs = connection.execute(select(JobRun.job_id, JobRun.runs, JobRun.failures, JobRun.seconds)).all()
        except SQLAlchemyError:
            # The process's own metrics still matter when the database is away: say so, don't fail.
            self.app.logger.warning("metrics: the database did not answer")
            yield GaugeMetricFamily("kezek_database_up", "Whether the database answered the scrape", value=0)
            return
        yield GaugeMetricFamily("kezek_database_up", "Whether the database answered the scrape", value=1)
        by_status = GaugeMetricFamily("kezek_bookings", "Bookings by status", labels=["status"])
        for row in sorted(bookings, key=lambda row: row.status):
            by_status.add_metric([row.status], row.count)
        yield by_status
        yield GaugeMetricFamily("kezek_outbox_backlog", "Messages waiting to be sent", value=outbox.backlog)
        yield GaugeMetricFamily(
            "kezek_outbox_oldest_age_seconds", "Age of the oldest message waiting", value=_age(outbox.oldest)
        )
        runs = CounterMetricFamily("kezek_job_runs_recorded", "Job runs recorded by the scheduler", labels=["job"])
        failures = CounterMetricFamily("kezek_job_failures_recorded", "Failed job runs recorded", labels=["job"])
        last = GaugeMetricFamily("kezek_job_last_duration_seconds", "Duration of the last run", labels=["job"])
        for job in jobs:
            runs.add_metric([job.job_id], job.runs)
            failures.add_metric([job.job_id], job.failures)
            last.add_metric([job.job_id], job.seconds or 0.0)
        yield from (runs, failures, last)


def _age(oldest: datetime | None) -> float:
    return 0.0 if oldest is None else max(0.0, (utcnow() - oldest).total_seconds())


def scrape_networks(setting: str) -> list[IPv4Network | IPv6Network]:
    """KEZEK_METRICS_ALLOW: networks or addresses, separated by commas or spaces."""
    try:
        return [ip_network(item, strict=False) for item in setting.replace(",", " ").split()]
    except ValueError as error:
        raise RuntimeError(f"KEZEK_METRICS_ALLOW: {error}") from None


def may_scrape(config: Mapping[str, Any], networks: list[IPv4Network | IPv6Network]) -> bool:
    """The scraper sends the metrics token, or connects from an allowed network. The address is
    the one ProxyFix trusts (KEZEK_PROXY_HOPS): the load balancer's view of the client, so an
    X-Forwarded-For written by the client itself never makes it look local."""
    token = config.get("METRICS_TOKEN")
    if token:
        scheme, _, sent = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(sent.strip().encode(), token.encode()):
            return True
    try:
        address = ip_address(request.remote_addr or "")
    except ValueError:
        return False
    address = getattr(address, "ipv4_mapped", None) or address
    return any(address in network for network in networks)


def scrape_guard(app: Flask):
    """The /metrics view for allowed scrapers only; anyone else gets 404 (nothing to find here)."""
    networks = scrape_networks(app.config["METRICS_ALLOW"])

    def guard(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not may_scrape(app.config, networks):
                abort(404)
            return view(*args, **kwargs)

        return guarded

    return guard


class KezekMetrics(PrometheusMetrics):
    """The exporter, with our registry also in multiprocess mode (the library's own then drops it)."""

    def __init__(self, app: Flask, registry: CollectorRegistry, database: DatabaseCollector):
        self.database = database
        super().__init__(
            app, registry=registry, group_by="endpoint", defaults_prefix="kezek", metrics_decorator=scrape_guard(app)
        )

    def generate_metrics(self, accept_header=None, names=None):
        if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            return super().generate_metrics(accept_header, names)
        # Per scrape: every worker's counters from the shared files, plus the database's figures.
        # The exporter's own request metrics are multiprocess values too, so the files hold them.
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(self.database)
        encoder, content_type = choose_encoder(accept_header)
        return encoder(registry).decode("utf-8"), content_type


def init_metrics(app: Flask) -> None:
    registry = CollectorRegistry()
    for metric in PROCESS_METRICS:
        registry.register(metric)
    database = DatabaseCollector(app)
    registry.register(database)
    KezekMetrics(app, registry, database)
