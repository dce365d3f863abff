"""Exam mode: a running trial exam shows no site menu and one language switch, saves the choice as
it is made (the page's script posts `go=stay` and reads JSON), and a save after the time is up
finishes the exam with the last saved choice kept."""

from datetime import timedelta

import sqlalchemy as sa

from app.exam.models import Attempt
from app.extensions import db
from tests.conftest import submit_form
from tests.support.exam import START, correct_option_ids, owner_of, start
from tests.support.pages import soup


def test_a_running_exam_has_no_menu_and_one_language_switch(app, bank, client, auth, make_user, frozen):
    user = make_user()
    auth.login(user.email)
    attempt = start(app, owner_of(user))
    page = soup(client.get(f"/exam/attempts/{attempt}/1"))
    assert page.body["class"] == ["exam-mode"]
    assert page.select("header nav") == []
    assert len(page.select("form.lang-switch, form.lang-inline")) == 1
    assert page.select_one("#answer-form").has_attr("data-exam-mode")
    assert page.select_one("script[src$='exam_mode.js']") is not None
    assert page.select_one("#save-status[role=status]") is not None
    # Practice gives feedback at once: nothing to lose, so the menu stays.
    practice = start(app, owner_of(user), mode="marathon")
    page = soup(client.get(f"/exam/attempts/{practice}/1"))
    assert page.select_one("header nav") is not None
    assert page.select_one("script[src$='exam_mode.js']") is None


def test_a_choice_is_saved_when_made_and_kept_when_the_time_runs_out(app, bank, client, auth, make_user, frozen):
    user = make_user()
    auth.login(user.email)
    attempt = start(app, owner_of(user))
    key = correct_option_ids(app, attempt)
    with app.app_context():
        first = db.session.get(Attempt, attempt).items[0]
        right, other = key[first.question_id], next(o for o in first.option_order if o != key[first.question_id])
    url = f"/exam/attempts/{attempt}/1"
    saved = submit_form(client, url, {"option": other, "go": "stay"})
    assert (saved.status_code, saved.get_json()) == (200, {"saved": True, "position": 1})
    assert submit_form(client, url, {"option": right, "go": "stay", "flag": "1"}).get_json()["saved"] is True
    with app.app_context():
        item = db.session.get(Attempt, attempt).items[0]
        assert (item.chosen_option_id, item.flagged) == (right, True)

    frozen["now"] = START + timedelta(seconds=2401)
    late = client.post(
        url,
        data={
            "csrf_token": soup(client.get("/exam/")).select_one("[name=csrf_token]")["value"],
            "option": other,
            "go": "stay",
        },
    )
    assert (late.status_code, late.get_json()["finished"]) == (409, True)
    with app.app_context():
        finished = db.session.scalar(sa.select(Attempt).where(Attempt.id == attempt))
        assert finished.status == "expired"
        assert finished.items[0].chosen_option_id == right  # the last choice before the end
    assert client.get(url).headers["Location"].endswith(f"/exam/attempts/{attempt}/result")
