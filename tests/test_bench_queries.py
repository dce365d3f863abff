"""Fixes found by `make bench`: the exam page's statements do not grow with the attempt's length, and
one hold sweep releases any number of holds on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.booking.models import Centre, Slot
from app.booking.services import release_expired_holds
from app.extensions import db
from tests.booking_support import NOW
from tests.conftest import BACKENDS, make_centre
from tests.test_exam import owner_of, start


def test_question_page_costs_a_few_statements_whatever_the_number_of_questions(
    app, bank, client, auth, make_user, frozen
):
    user = make_user()
    auth.login(user.email)
    attempt_id = start(app, owner_of(user))  # 40 questions
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        assert client.get(f"/exam/attempts/{attempt_id}/2").status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    # Once per question (40 each for items, revisions, options, questions, topics) was the bug.
    assert len(statements) < 20, statements


@pytest.mark.postgres_only
@pytest.mark.parametrize("db_url", [b for b in BACKENDS if b == "postgresql"], indirect=True)
def test_one_sweep_releases_more_holds_than_postgresql_takes_parameters(app):
    """70 000 expired holds in 70 000 slots: an IN list of the slots' ids had one parameter each."""
    holds = 70_000
    with app.app_context():
        centre_id = db.session.scalar(sa.select(Centre.id).where(Centre.code == make_centre(app)))
        db.session.execute(
            sa.text(
                """
                INSERT INTO slot (centre_id, exam_type, category, starts_at, ends_at, capacity, booked, created_at)
                SELECT :centre, 'theory', 'B', now() + n * interval '1 minute' + interval '3 days',
                       now() + n * interval '1 minute' + interval '3 days 1 hour', 1, 1, now()
                FROM generate_series(1, CAST(:n AS int)) AS n
                """
            ),
            {"centre": centre_id, "n": holds},
        )
        db.session.execute(
            sa.text(
                """
                INSERT INTO user_account (email, password_hash, full_name, iin, role, active, failed_logins,
                                          created_at, updated_at)
                SELECT 'hold-' || n || '@example.kz', 'x', 'Hold ' || n, lpad(n::text, 12, '0'), 'user', true, 0,
                       now(), now()
                FROM generate_series(1, CAST(:n AS int)) AS n
                """
            ),
            {"n": holds},
        )
        db.session.execute(
            sa.text(
                """
                INSERT INTO booking (user_id, slot_id, exam_type, category, status, hold_expires_at, ics_sequence,
                                     reschedule_count, created_at)
                SELECT u.id, s.id, 'theory', 'B', 'held', :expired, 0, 0, :expired
                FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM user_account
                      WHERE email LIKE 'hold-%') u
                JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM slot) s ON s.n = u.n
                """
            ),
            {"expired": NOW - timedelta(minutes=1)},
        )
        assert release_expired_holds(db.session, NOW) == holds
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.sum(Slot.booked))) == 0
