"""Practice feedback: "Check" without a choice says so, the grid shows right and wrong with a
legend, a long marathon's grid is paged, and options are shuffled in every mode."""

import sqlalchemy as sa
from bs4 import BeautifulSoup

from app.exam import page_parts
from app.exam.models import Attempt, AttemptQuestion, QuestionOption
from app.extensions import db
from tests.conftest import submit_form
from tests.exam.test_practice import answer, start
from tests.support.pages import flashes, soup


def test_check_without_a_choice_says_so_and_stays(app, bank, client, auth, make_user, frozen):
    user = make_user()
    auth.login(user.email)
    attempt = start(app, user, "practice", topic="t1")
    url = f"/exam/attempts/{attempt}/1"
    response = submit_form(client, url, {"go": "next"})
    assert response.headers["Location"] == url
    assert "Choose an answer first, then check it." in flashes(client.get(url))
    with app.app_context():
        assert db.session.get(Attempt, attempt).items[0].chosen_option_id is None


def test_the_grid_shows_right_and_wrong_with_a_legend(app, bank, client, auth, make_user, frozen):
    user = make_user()
    auth.login(user.email)
    attempt = start(app, user, "practice", topic="t1")
    answer(app, attempt, 1, right=True)
    answer(app, attempt, 2, right=False)
    page = soup(client.get(f"/exam/attempts/{attempt}/2"))
    cells = page.select(".exam-grid button")
    assert "grid-cell--right" in cells[0]["class"]
    assert cells[0]["aria-label"] == "Question 1: answered, right"
    assert "grid-cell--wrong" in cells[1]["class"]
    assert "grid-cell--open" in cells[2]["class"]
    legend = page.select_one(".grid-legend").get_text(" ", strip=True)
    assert "answered right" in legend
    assert "answered wrong" in legend
    assert page.select_one(".choice.option--wrong") is not None
    assert page.select_one(".choice.option--correct") is not None


def test_a_marathon_grid_is_paged(app, bank, client, auth, make_user, frozen):
    user = make_user()
    auth.login(user.email)
    attempt = start(app, user, "marathon")  # all 60 questions of the bank
    first = soup(client.get(f"/exam/attempts/{attempt}/1"))
    assert len(first.select(".exam-grid button")) == 40
    assert first.select_one("button.grid-page")["value"] == "41"
    later = soup(client.get(f"/exam/attempts/{attempt}/45"))
    assert [b["value"] for b in later.select(".exam-grid button")] == [str(n) for n in range(41, 61)]
    assert [b["value"] for b in later.select("button.grid-page")] == ["1"]


def test_options_are_shuffled_in_every_mode(app, bank, make_user, frozen):
    user = make_user()
    keys_at = []
    for mode, topic in (("exam", None), ("practice", "t1"), ("marathon", None)):
        attempt = start(app, user, mode, topic=topic)
        with app.app_context():
            rows = db.session.execute(
                sa.select(AttemptQuestion.option_order, QuestionOption.id)
                .join(QuestionOption, QuestionOption.revision_id == AttemptQuestion.revision_id)
                .where(AttemptQuestion.attempt_id == attempt, QuestionOption.is_correct)
            ).all()
            positions = {order.index(key) for order, key in rows}
            assert len(positions) > 1, mode  # the key does not sit in one place
            keys_at.append(positions)
            db.session.get(Attempt, attempt).status = "finished"
            db.session.commit()
    assert all(keys_at)


def test_the_grid_buttons_escape_their_labels_and_mark_the_current_question():
    """The grid's buttons are built in Python (page_parts.grid_buttons): the label is escaped as
    the template escaped it, and only the current question carries aria-current."""
    cells = [
        page_parts.GridCell(1, answered=True, flagged=True, label='Q "1" <b>'),
        page_parts.GridCell(2, answered=False, flagged=False, label="Q 2"),
    ]
    html = str(page_parts.grid_buttons(page_parts.grid_window(cells, 2), current=2))
    buttons = BeautifulSoup(html, "html.parser").select("button")
    assert [b["aria-label"] for b in buttons] == ['Q "1" <b>', "Q 2"]
    assert "<b>" not in html
    assert buttons[0]["class"] == ["grid-cell", "grid-cell--answered", "grid-cell--answered", "grid-cell--flagged"]
    assert [b.get("aria-current") for b in buttons] == [None, "step"]
    assert [b["value"] for b in buttons] == ["1", "2"]
