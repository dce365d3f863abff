"""Counters of events in this process, counted only once the transaction that made them commits.

Any package may count here; `app.ops.metrics` publishes `PROCESS_METRICS` at /metrics. They live
in the base, not in ops, so that counting never imports the metrics endpoint (and the models it reads).
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram
from sqlalchemy import event
from sqlalchemy.orm import Session

HOLDS_TAKEN = Counter("kezek_holds_taken", "Places held (committed holds)", registry=None)
HOLDS_EXPIRED = Counter("kezek_holds_expired", "Holds released because they ran out", registry=None)
JOB_SECONDS = Histogram(
    "kezek_job_duration_seconds",
    "Duration of job runs in this process",
    ["job"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300),
    registry=None,
)
JOB_FAILURES = Counter("kezek_job_failures", "Failed job runs in this process", ["job"], registry=None)
PROCESS_METRICS = (HOLDS_TAKEN, HOLDS_EXPIRED, JOB_SECONDS, JOB_FAILURES)

_PENDING_COUNTS = "kezek_metrics_pending"


def count_on_commit(session: Session, counter: Counter, amount: int = 1) -> None:
    """Add `amount` to `counter` when (and only if) the session's transaction commits."""
    if amount:
        session.info.setdefault(_PENDING_COUNTS, []).append((counter, amount))


@event.listens_for(Session, "after_commit")
def _publish_counts(session: Session) -> None:
    for counter, amount in session.info.pop(_PENDING_COUNTS, []):
        counter.inc(amount)


@event.listens_for(Session, "after_transaction_end")
def _drop_counts(session: Session, transaction) -> None:
    # Whatever is left when the outermost transaction ends (rolled back, closed) never happened.
    if transaction.parent is None:
        session.info.pop(_PENDING_COUNTS, None)
