"""Fixes found by `make bench`: the exam page's statements do not grow with the attempt's length and
the bank's content is read once per process; the month calendar counts places without loading slots
and renders each distinct grid once; one hold sweep releases any number of holds on PostgreSQL."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from flask import template_rendered

from app import create_app
from app.auth.models import User
from app.booking.expiry import release_expired_holds
from app.booking.models import Slot
from app.centres.models import Centre
from app.exam.models import AttemptQuestion, QuestionOption, QuestionRevision
from app.exam.revision_cache import revision_contents
from app.extensions import db
from config import TestingConfig
from tests.conftest import BACKENDS, make_centre
from tests.support.booking_support import NOW, book, freeze, local, make_slot
from tests.support.exam import owner_of, start
from tests.support.factories import build_bank

TEXTS = ("text", "explanation", "search")


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
        first = len(statements)
        assert client.get(f"/exam/attempts/{attempt_id}/3").status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    # Once per question (40 each for items, revisions, options, questions, topics) was the bug.
    assert first < 20, statements
    # The second page reads no question or option text: the revisions are kept by the process.
    again = [statement for statement in statements[first:] if not statement.startswith("BEGIN")]
    assert not [s for s in again if "question_revision" in s or "question_option" in s], again
    assert len(again) <= 5, again  # the user, the attempt, its answers with topics, the page view (2 rows)


def test_a_revised_question_gets_new_content_and_old_attempts_keep_theirs(app, bank, client, auth, make_user):
    """The content cache is keyed by revision: a revision never changes, a revised question gets a new one."""
    user = make_user()
    auth.login(user.email)
    attempt_id = start(app, owner_of(user))
    page = client.get(f"/exam/attempts/{attempt_id}/1").get_data(as_text=True)
    with app.app_context():
        item = db.session.scalar(
            sa.select(AttemptQuestion).where(AttemptQuestion.attempt_id == attempt_id, AttemptQuestion.position == 1)
        )
        old = db.session.get(QuestionRevision, item.revision_id)
        assert old.text_en in page
        old.is_current = False
        db.session.flush()
        texts = {f"{field}_{lang}": f"Revised {field} {lang}" for field in TEXTS for lang in ("kk", "ru", "en")}
        revised = QuestionRevision(
            question_id=old.question_id,
            number=2,
            content_hash="revised",
            reference_source=old.reference_source,
            reference_point=old.reference_point,
            options=[QuestionOption(position=1, is_correct=True, text_kk="A", text_ru="A", text_en="A")],
            **texts,
        )
        db.session.add(revised)
        db.session.commit()
        old_id, old_text, revised_id = old.id, old.text_en, revised.id
        contents = revision_contents(db.session, [old_id, revised_id])
        assert (contents[old_id].text_en, contents[revised_id].text_en) == (old_text, "Revised text en")
    assert old_text in client.get(f"/exam/attempts/{attempt_id}/1").get_data(as_text=True)


def test_revision_content_is_read_once_per_process_and_per_database(app, bank, tmp_path):
    with app.app_context():
        ids = list(db.session.scalars(sa.select(QuestionRevision.id)))
        with count_statements(db.engine) as first:
            revision_contents(db.session, ids)
        with count_statements(db.engine) as again:
            contents = revision_contents(db.session, ids)
        assert (first, again) == ([2], [0])
        text_of_first = contents[min(ids)].text_en
    # Another database numbers its revisions alike: its content is its own.
    other = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'other.sqlite'}"})
    with other.app_context():
        db.create_all()
        build_bank(db.session, {"t2": 1, "t1": 1})
        db.session.commit()
        first_id = min(db.session.scalars(sa.select(QuestionRevision.id)))
        assert revision_contents(db.session, [first_id])[first_id].text_en == "t2-001 question en"
        db.engine.dispose()
    assert text_of_first == "t1-001 question en"


@contextmanager
def count_statements(engine):
    box: list[int] = []
    statements = []

    def seen(*_args):
        statements.append(1)

    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        yield box
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
        box.append(len(statements))


def test_month_calendar_counts_places_and_renders_each_grid_once(client, app, auth, make_user, centre):
    """Hundreds of slots a month: the view reads two columns per slot and renders a grid per content;
    a booking changes a number, and with it the grid."""
    freeze(NOW)
    user = make_user()
    auth.login(user.email)
    first = make_slot(app, starts=local(2026, 12, 3, 9), capacity=2)
    make_slot(app, starts=local(2026, 12, 3, 23), capacity=3)
    make_slot(app, starts=local(2026, 12, 4, 2), capacity=4)  # the 4th in Almaty, still the 3rd in UTC
    path = "/booking/centres/ALM?view=month&date=2026-12-01&exam=theory&category=B"
    grids = []

    def rendered(sender, template, context, **extra):
        if template.name == "booking/_month.html":
            grids.append(template.name)

    def cells(response):
        page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        return {
            td.select_one(".calendar-month__day").get_text(): td.a.get_text(" ", strip=True).split(",")[0].strip()
            for td in page.select("td")
            if td.a
        }

    template_rendered.connect(rendered, app)
    try:
        assert cells(client.get(path)) == {"3": "5 free", "4": "4 free"}
        assert cells(client.get(path)) == {"3": "5 free", "4": "4 free"}
        assert len(grids) == 1  # the same numbers: the grid rendered once
        book(app, user.id, first)
        assert cells(client.get(path)) == {"3": "4 free", "4": "4 free"}
        assert len(grids) == 2
        with app.app_context():
            db.session.execute(sa.update(User).where(User.id == user.id).values(language="ru"))
            db.session.commit()
        caption = BeautifulSoup(client.get(path).get_data(as_text=True), "html.parser").caption.get_text()
        assert "декабрь 2026" in caption.lower()
        assert len(grids) == 3
    finally:
        template_rendered.disconnect(rendered, app)


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
