"""The timed trial exam: drawing, the server's clock, scoring, resume, language, no key leaks."""

import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from app.core import clock
from app.exam import answering, attempt_access, finishing
from app.exam.models import Attempt, QuestionProgress
from app.extensions import db
from tests.conftest import PASSWORD, submit_form
from tests.support.exam import START, correct_option_ids, owner_of, start
from tests.support.factories import build_bank


def test_draw_follows_quotas_without_repeats_and_stores_the_deadline(app, bank, make_user, frozen):
    user = make_user()
    attempt_id = start(app, owner_of(user))
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.deadline == START + timedelta(seconds=2400)
        items = attempt.items
        assert len(items) == attempt.total == 40
        assert len({item.question_id for item in items}) == 40
        topics = [item.revision.question.topic.code for item in items]
        assert topics.count("t1") == 20
        assert topics.count("t2") == 20
        for item in items:
            assert sorted(item.option_order) == sorted(option.id for option in item.revision.options)
        orders = {tuple(item.option_order) for item in items}
        assert len(orders) > 1  # options are shuffled per attempt


def test_draw_prefers_unseen_then_least_recently_seen(app, bank, make_user, frozen):
    user = make_user()
    with app.app_context():
        t1 = db.session.execute(sa.text("SELECT id FROM question WHERE code LIKE 't1-%' ORDER BY code")).scalars().all()
        # 25 of the 30 t1 questions were seen; the 5 oldest-seen come right after the unseen ones.
        for index, question_id in enumerate(t1[:25]):
            db.session.add(
                QuestionProgress(
                    user_id=user.id,
                    question_id=question_id,
                    times_seen=1,
                    times_correct=1,
                    last_seen_at=START - timedelta(days=100 - index),
                    right_streak=1,
                    in_mistakes=False,
                )
            )
        db.session.commit()
    attempt_id = start(app, owner_of(user))
    with app.app_context():
        drawn = {item.question_id for item in db.session.get(Attempt, attempt_id).items}
        expected = set(t1[25:]) | set(t1[:15])  # 5 unseen + the 15 seen longest ago
        assert {q for q in drawn if q in set(t1)} == expected


def test_answer_after_the_deadline_is_refused_and_the_exam_is_finished(app, bank, make_user, frozen):
    user = make_user()
    attempt_id = start(app, owner_of(user))
    frozen["now"] = START + timedelta(seconds=2400)
    with app.app_context():
        owner = owner_of(user)
        attempt = db.session.get(Attempt, attempt_id)
        with pytest.raises(attempt_access.AttemptClosed):
            answering.answer(db.session, attempt, attempt.items[0], attempt.items[0].option_order[0], clock.utcnow())
        db.session.commit()
        attempt = attempt_access.get_attempt(db.session, attempt_id, owner)
        assert attempt.status == "expired"
        assert attempt.finished_at == START + timedelta(seconds=2400)
        assert attempt.passed is False


def test_expired_exam_is_finished_on_access(app, bank, client, auth, make_user, frozen):
    user = make_user()
    auth.login(user.email)
    attempt_id = start(app, owner_of(user))
    frozen["now"] = START + timedelta(minutes=41)
    response = client.get(f"/exam/attempts/{attempt_id}/1")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/exam/attempts/{attempt_id}/result")
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).status == "expired"


def test_job_finishes_every_expired_exam_and_only_those(app, bank, make_user, frozen):
    late = start(app, owner_of(make_user()))
    frozen["now"] = START + timedelta(minutes=30)
    fresh = start(app, owner_of(make_user()))
    frozen["now"] = START + timedelta(minutes=45)
    with app.app_context():
        assert finishing.finish_expired_attempts(db.session, clock.utcnow()) == 1
        db.session.commit()
        assert db.session.get(Attempt, late).status == "expired"
        assert db.session.get(Attempt, fresh).status == "in_progress"
        assert finishing.finish_expired_attempts(db.session, clock.utcnow()) == 0  # safe to run twice


@pytest.mark.parametrize(("right", "passed"), [(31, False), (32, True), (40, True), (0, False)])
def test_pass_boundary(app, bank, make_user, frozen, right, passed):
    user = make_user()
    attempt_id = start(app, owner_of(user))
    key = correct_option_ids(app, attempt_id)
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        for index, item in enumerate(attempt.items):
            wrong = next(option for option in item.option_order if option != key[item.question_id])
            answering.answer(
                db.session, attempt, item, key[item.question_id] if index < right else wrong, clock.utcnow()
            )
        finishing.finish_attempt(db.session, attempt, clock.utcnow())
        db.session.commit()
        assert (attempt.correct, attempt.passed) == (right, passed)


def test_finished_exam_updates_progress_and_mistakes(app, bank, make_user, frozen):
    user = make_user()
    attempt_id = start(app, owner_of(user))
    key = correct_option_ids(app, attempt_id)
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        first, second = attempt.items[0], attempt.items[1]
        answering.answer(db.session, attempt, first, key[first.question_id], clock.utcnow())
        wrong = next(option for option in second.option_order if option != key[second.question_id])
        answering.answer(db.session, attempt, second, wrong, clock.utcnow())
        finishing.finish_attempt(db.session, attempt, clock.utcnow())
        db.session.commit()
        progress = {p.question_id: p for p in db.session.scalars(sa.select(QuestionProgress))}
        assert len(progress) == 40  # unanswered questions were seen too
        assert progress[first.question_id].in_mistakes is False
        assert progress[second.question_id].in_mistakes is True
        assert progress[attempt.items[2].question_id].in_mistakes is True  # unanswered counts as wrong


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return BeautifulSoup(response.get_data(as_text=True), "html.parser"), response.get_data(as_text=True)


def test_question_page_reveals_no_key(app, bank, client, auth, make_user, frozen):
    user = make_user()
    auth.login(user.email)
    attempt_id = start(app, owner_of(user))
    soup, html = page(client, f"/exam/attempts/{attempt_id}/1")
    assert "option--correct" not in html
    assert "option--wrong" not in html
    assert "because" not in html  # no explanation before the end
    radios = soup.select("input[name=option]")
    assert len(radios) == 3
    key = correct_option_ids(app, attempt_id)
    for radio in radios:
        assert set(radio.attrs) <= {"type", "name", "id", "value", "checked"}
    # The option order on the page is the attempt's shuffled order, not the bank's.
    with app.app_context():
        item = db.session.get(Attempt, attempt_id).items[0]
        assert [int(radio["value"]) for radio in radios] == item.option_order
        assert key[item.question_id] in item.option_order


def test_no_key_in_progress_json(app, bank, client, make_user, frozen):
    user = make_user()
    token = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    body = client.post("/api/v1/attempts", json={"profile": "B", "lang": "ru"}, headers=headers).get_json()
    text = json.dumps(body)
    assert "correct" not in text
    assert "explanation" not in text
    detail = client.get(f"/api/v1/attempts/{body['id']}", headers=headers).get_json()
    assert "correct" not in json.dumps(detail)
    assert "explanation" not in json.dumps(detail)
    # After the end, the review has the key.
    client.post(f"/api/v1/attempts/{body['id']}/finish", headers=headers)
    finished = client.get(f"/api/v1/attempts/{body['id']}", headers=headers).get_json()
    assert all("correct_option_id" in q and q["explanation"] for q in finished["questions"])


def test_full_exam_in_the_browser_resume_flag_language_and_review(app, bank, client, auth, make_user, frozen):
    user = make_user()
    auth.login(user.email)
    form = {"profile": "B", "language": "kk", "mode": "exam"}
    response = submit_form(client, "/exam/start", form, page_url="/exam/")
    assert response.status_code == 302
    attempt_id = int(re.search(r"/attempts/(\d+)/1$", response.headers["Location"]).group(1))
    key = correct_option_ids(app, attempt_id)
    with app.app_context():
        order = [(item.question_id, item.option_order) for item in db.session.get(Attempt, attempt_id).items]

    # Answer question 1 right and flag it, in Kazakh.
    soup, _ = page(client, f"/exam/attempts/{attempt_id}/1")
    assert soup.select_one("fieldset.question")["lang"] == "kk"
    r = submit_form(
        client,
        f"/exam/attempts/{attempt_id}/1",
        {"option": key[order[0][0]], "flag": "1", "go": "next"},
        page_url=f"/exam/attempts/{attempt_id}/1",
    )
    assert r.headers["Location"].endswith(f"/exam/attempts/{attempt_id}/2")

    # Switch to Russian mid-attempt: the answer stays.
    submit_form(
        client,
        f"/exam/attempts/{attempt_id}/language",
        {"lang": "ru", "position": "1"},
        page_url=f"/exam/attempts/{attempt_id}/1",
    )
    soup, html = page(client, f"/exam/attempts/{attempt_id}/1")
    assert "question ru" in html
    assert soup.select_one("input[name=option][checked]")["value"] == str(key[order[0][0]])
    assert soup.select_one("input[name=flag]").has_attr("checked")

    # A new device (a fresh sign-in) resumes where the learner was.
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    submit_form(other, "/account/login", {"email": user.email, "password": PASSWORD})
    assert other.get(f"/exam/attempts/{attempt_id}").headers["Location"].endswith(f"/exam/attempts/{attempt_id}/1")

    # Answer question 2 wrong; the finish page lists what is unanswered and flagged.
    wrong = next(o for o in order[1][1] if o != key[order[1][0]])
    submit_form(
        client,
        f"/exam/attempts/{attempt_id}/2",
        {"option": wrong, "go": "finish"},
        page_url=f"/exam/attempts/{attempt_id}/2",
    )
    soup, html = page(client, f"/exam/attempts/{attempt_id}/finish")
    assert "38 questions are not answered" in html
    assert "1 question is flagged" in html
    r = submit_form(client, f"/exam/attempts/{attempt_id}/finish", {})
    assert r.headers["Location"].endswith(f"/exam/attempts/{attempt_id}/result")
    soup, html = page(client, f"/exam/attempts/{attempt_id}/result")
    assert "Not passed" in html
    assert "1 / 40" in html
    assert len(soup.select(".option--correct")) == 40
    assert "because ru" in html  # explanations in the attempt's language

    # After the end, answers are refused.
    r = submit_form(
        client,
        f"/exam/attempts/{attempt_id}/3",
        {"option": order[2][1][0]},
        page_url=f"/exam/attempts/{attempt_id}/result",
    )
    assert r.headers["Location"].endswith("/result")
    history, html = page(client, "/exam/history")
    assert history.select_one("figure.chart svg title") is not None
    assert "1 / 40" in html


def test_exam_works_for_anonymous_visitors_bound_to_their_session(app, bank, client, frozen):
    response = submit_form(client, "/exam/start", {"profile": "B", "language": "en", "mode": "exam"}, page_url="/exam/")
    location = response.headers["Location"]
    assert client.get(location).status_code == 200
    stranger = app.test_client()
    assert stranger.get(location).status_code == 404
    with app.app_context():
        attempt = db.session.scalar(sa.select(Attempt))
        assert attempt.user_id is None
        assert attempt.anonymous_key


def test_other_users_attempt_is_not_found(app, bank, client, auth, make_user, frozen):
    owner = make_user()
    intruder = make_user()
    attempt_id = start(app, owner_of(owner))
    auth.login(intruder.email)
    for url in (
        f"/exam/attempts/{attempt_id}",
        f"/exam/attempts/{attempt_id}/1",
        f"/exam/attempts/{attempt_id}/result",
        f"/exam/attempts/{attempt_id}/finish",
    ):
        assert client.get(url).status_code == 404
    token = client.post("/api/v1/auth/token", json={"email": intruder.email, "password": PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/attempts/{attempt_id}", headers=headers).status_code == 404
    assert client.post(f"/api/v1/attempts/{attempt_id}/finish", headers=headers).status_code == 404
    response = client.put(f"/api/v1/attempts/{attempt_id}/answers/1", json={"option_id": 1}, headers=headers)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_api_flow_and_attempt_closed(app, bank, client, make_user, frozen):
    user = make_user()
    token = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    profiles = client.get("/api/v1/exam/profiles").get_json()
    assert profiles == [
        {"code": "B", "title": "Category B", "questions": 40, "seconds": 2400, "pass_mark": 32, "max_mistakes": 8}
    ]
    attempt = client.post("/api/v1/attempts", json={"profile": "B", "lang": "en"}, headers=headers)
    assert attempt.status_code == 201
    body = attempt.get_json()
    assert body["deadline"].endswith("+00:00")
    question = body["questions"][0]
    answered = client.put(
        f"/api/v1/attempts/{body['id']}/answers/{question['id']}",
        json={"option_id": question["options"][0]["id"]},
        headers=headers,
    )
    assert answered.status_code == 200
    assert "correct" not in answered.get_json()
    bad = client.put(
        f"/api/v1/attempts/{body['id']}/answers/{question['id']}", json={"option_id": 999999}, headers=headers
    )
    assert bad.status_code == 422
    frozen["now"] = START + timedelta(minutes=40, seconds=1)
    late = client.put(
        f"/api/v1/attempts/{body['id']}/answers/{question['id']}",
        json={"option_id": question["options"][1]["id"]},
        headers=headers,
    )
    assert late.status_code == 409
    assert late.get_json()["code"] == "attempt-closed"
    result = client.post(f"/api/v1/attempts/{body['id']}/finish", headers=headers).get_json()
    assert result["status"] == "expired"
    assert result["total"] == 40
    assert {entry["topic"] for entry in result["by_topic"]} == {"t1", "t2"}
    unknown = client.post("/api/v1/attempts", json={"profile": "Z", "lang": "en"}, headers=headers)
    assert unknown.status_code == 422
    assert "profile" in unknown.get_json()["errors"]
    assert client.post("/api/v1/attempts", json={"profile": "B", "lang": "en"}).status_code == 401


def test_queries_do_not_grow_with_the_bank(app, bank, client, auth, make_user, frozen):
    """Starting an attempt and rendering a question page cost the same number of queries at 1x and 10x."""
    user = make_user()
    auth.login(user.email)
    with app.app_context():
        engine = db.engine
    counts = []
    for extra in (0, 540):  # 60 questions, then 600
        if extra:
            with app.app_context():
                build_bank(db.session, {"t1": extra // 2, "t2": extra // 2})
                db.session.commit()
        statements: list[str] = []

        def count(conn, cursor, statement, *args, statements=statements):
            statements.append(statement)

        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            form = {"profile": "B", "language": "en", "mode": "exam"}
            location = submit_form(client, "/exam/start", form, page_url="/exam/").headers["Location"]
            after_start = len(statements)
            assert client.get(location).status_code == 200
            counts.append((after_start, len(statements) - after_start))
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
    assert counts[0] == counts[1], counts
