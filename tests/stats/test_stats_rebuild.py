"""The nightly rebuild: set-based SQL that agrees with a computation one booking at a time, on
SQLite and PostgreSQL; idempotent; the job and `flask stats rebuild`."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.booking.models import Booking, Slot
from app.core import clock
from app.extensions import db
from app.jobs import tasks
from app.staff.models import CentreClosure
from app.stats.models import COUNTS, StatsClosureMonth, StatsMonth
from app.stats.rebuild import rebuild
from tests.support.stats_support import HISTORY_NOW, build_history, direct_counts


def _stored(session) -> dict[tuple, dict]:
    return {
        (row.centre_id, row.exam_type, row.category, row.month): {
            **{name: getattr(row, name) for name in COUNTS},
            "wait_histogram": row.wait_histogram,
        }
        for row in session.scalars(sa.select(StatsMonth))
    }


def test_rebuild_matches_a_direct_computation(app):
    build_history(app)
    with app.app_context():
        # A few bookings the figures must leave out: a future exam, and one cancelled by its applicant.
        future = db.session.scalar(sa.select(Booking).order_by(Booking.id.desc()).limit(1))
        summary = rebuild(db.session, HISTORY_NOW)
        db.session.commit()
        expected = direct_counts(db.session, HISTORY_NOW)
        stored = _stored(db.session)
        assert summary.cells == len(stored) > 20
        for key, counts in expected.items():
            row = stored[key]
            assert {name: row[name] for name in COUNTS} == {name: counts.get(name, 0) for name in COUNTS}, key
            assert row["wait_histogram"] == counts["wait_histogram"], key
        assert set(stored) == set(expected)
        # The generated history has every kind of case in it.
        totals = {name: sum(row[name] for row in stored.values()) for name in COUNTS}
        assert all(totals[name] > 0 for name in COUNTS), totals
        assert totals["first_results"] < totals["results"]  # retakes
        assert future is not None


def test_exams_not_yet_held_and_released_places_do_not_count(app):
    build_history(app, months=1, codes=("ALM",))
    with app.app_context():
        before = _stored(db.session)
        slot = db.session.scalar(sa.select(Slot).order_by(Slot.starts_at.desc()).limit(1))
        later = Slot(
            centre_id=slot.centre_id,
            exam_type="theory",
            category="B",
            starts_at=HISTORY_NOW + timedelta(days=3),
            ends_at=HISTORY_NOW + timedelta(days=3, hours=1),
            capacity=5,
            booked=1,
        )
        db.session.add(later)
        db.session.flush()
        user_id = db.session.scalar(sa.select(Booking.user_id).limit(1))
        db.session.add(Booking(user_id=user_id, slot_id=later.id, exam_type="theory", category="B", status="confirmed"))
        rebuild(db.session, HISTORY_NOW)
        db.session.commit()
        rows = db.session.scalars(sa.select(StatsMonth).where(StatsMonth.month == date(2026, 11, 1))).all()
        assert sum(row.booked for row in rows) == 0  # the generated history ends last month
        assert {row.first_free_on for row in rows if row.category == "B" and row.exam_type == "theory"} == {
            later.starts_at.date()
        }
        assert before == {}


def test_closures_count_days_and_keep_the_reasons(app):
    build_history(app, months=1, codes=("ALM",))
    with app.app_context():
        centre_id = db.session.scalar(sa.select(Slot.centre_id).limit(1))
        db.session.add(
            CentreClosure(
                centre_id=centre_id, first_day=date(2026, 11, 2), last_day=date(2026, 11, 4), reason="Power cut"
            )
        )
        # Days after today are not counted yet.
        db.session.add(
            CentreClosure(centre_id=centre_id, first_day=date(2026, 11, 30), last_day=date(2026, 12, 2), reason="Later")
        )
        rebuild(db.session, HISTORY_NOW)
        db.session.commit()
        row = db.session.scalar(sa.select(StatsClosureMonth).where(StatsClosureMonth.month == date(2026, 11, 1)))
        assert (row.days_closed, row.reasons) == (3, ["Power cut"])
        october = db.session.scalar(sa.select(StatsClosureMonth).where(StatsClosureMonth.month == date(2026, 10, 1)))
        assert october is None or october.days_closed >= 1


def test_rebuilding_twice_gives_the_same_rows(app):
    build_history(app, months=1, codes=("ALM",))
    with app.app_context():
        rebuild(db.session, HISTORY_NOW)
        db.session.commit()
        first = _stored(db.session)
        rebuild(db.session, HISTORY_NOW)
        db.session.commit()
        assert _stored(db.session) == first != {}


def test_the_nightly_job_and_the_command_rebuild(app, runner):
    build_history(app, months=1, codes=("ALM",))
    clock.set_clock(lambda: HISTORY_NOW)
    assert "rebuild-statistics" in tasks.JOBS
    assert tasks.JOBS["rebuild-statistics"].trigger["trigger"] == "cron"
    with app.app_context():
        assert "statistics rows rebuilt" in tasks.run_in_context("rebuild-statistics")
        rows = db.session.scalar(sa.select(sa.func.count()).select_from(StatsMonth))
    result = runner.invoke(args=["stats", "rebuild"])
    assert result.exit_code == 0, result.output
    assert f"{rows} statistics rows" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StatsMonth)) == rows > 0


@pytest.mark.slow
def test_two_rebuilds_at_once_leave_the_same_rows(app):
    """The job and `flask stats rebuild` may overlap: the second waits for the first (a lock)."""
    build_history(app, months=1, codes=("ALM",))
    with app.app_context():
        rebuild(db.session, HISTORY_NOW)
        db.session.commit()
        alone = _stored(db.session)
    start, errors = threading.Barrier(2), []

    def rebuild_in_thread():
        try:
            with app.app_context():
                start.wait()
                rebuild(db.session, HISTORY_NOW)
                db.session.commit()
        except Exception as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=rebuild_in_thread) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with app.app_context():
        assert _stored(db.session) == alone
