"""Fixes found by `make bench`: the exam page's statements do not grow with the attempt's length."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from tests.test_exam import bank, frozen, owner_of, start  # noqa: F401  (fixtures)


def test_question_page_costs_a_few_statements_whatever_the_number_of_questions(
    app,
    bank,
    client,
    auth,
    make_user,
    frozen,  # noqa: F811
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
