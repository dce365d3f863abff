"""Practice modes, spaced repetition, readiness, item statistics and exam profiles."""

import math
import random
from datetime import timedelta

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from app.auth.models import Role
from app.core import clock
from app.exam import answering, attempt_access, drawing, finishing, learner_progress
from app.exam.models import Attempt, ExamProfile, QuestionProgress
from app.exam.readiness_estimate import pass_probability
from app.exam.statistics import Answer, Row, compute, to_csv
from app.extensions import db
from tests.conftest import submit_form
from tests.support.exam import START, correct_option_ids, owner_of


def start(app, user, mode, topic=None):
    with app.app_context():
        from app.exam.models import Topic

        profile = db.session.scalar(sa.select(ExamProfile))
        topic_row = db.session.scalar(sa.select(Topic).where(Topic.code == topic)) if topic else None
        attempt = drawing.start_attempt(
            db.session,
            owner=owner_of(user),
            profile=profile,
            language="en",
            mode=mode,
            topic=topic_row,
            now=clock.utcnow(),
            rng=random.Random(3),
        )
        db.session.commit()
        return attempt.id


def answer(app, attempt_id, position, right: bool):
    key = correct_option_ids(app, attempt_id)
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        item = attempt.items[position - 1]
        option = key[item.question_id] if right else next(o for o in item.option_order if o != key[item.question_id])
        result = answering.answer(db.session, attempt, item, option, clock.utcnow())
        db.session.commit()
        return item.question_id, result


def progress(app, user, question_id) -> QuestionProgress:
    with app.app_context():
        row = db.session.get(QuestionProgress, (user.id, question_id))
        db.session.expunge(row)
        return row


def test_topic_practice_gives_feedback_after_each_answer(app, bank, client, auth, make_user, frozen):
    user = make_user()
    auth.login(user.email)
    response = submit_form(
        client, "/exam/start", {"profile": "B", "language": "en", "mode": "practice", "topic": "t2"}, page_url="/exam/"
    )
    location = response.headers["Location"]
    attempt_id = int(location.split("/")[-2])
    key = correct_option_ids(app, attempt_id)
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.total == drawing.PRACTICE_SIZE
        assert attempt.deadline is None
        assert {item.revision.question.topic.code for item in attempt.items} == {"t2"}
        item = attempt.items[0]
        wrong = next(o for o in item.option_order if o != key[item.question_id])
    html = client.get(location).get_data(as_text=True)
    assert "because" not in html
    assert "option--correct" not in html
    response = submit_form(client, location, {"option": wrong, "go": "next"})
    assert response.headers["Location"].endswith(location)  # stays to show the feedback
    soup = BeautifulSoup(client.get(location).get_data(as_text=True), "html.parser")
    assert soup.select_one(".feedback--wrong") is not None
    assert "because en" in soup.get_text()
    assert soup.select_one(".option--correct input")["value"] != str(wrong)
    # The first answer counts: a second try does not change it.
    right = soup.select_one(".option--correct input")["value"]
    submit_form(client, location, {"option": right, "go": "next"})
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).items[0].is_correct is False


def test_practice_needs_a_topic(app, bank, client, frozen):
    response = submit_form(
        client, "/exam/start", {"profile": "B", "language": "en", "mode": "practice"}, page_url="/exam/"
    )
    assert response.headers["Location"].endswith("/exam/")
    assert "Choose a topic" in client.get("/exam/").get_data(as_text=True)


def test_my_mistakes_until_right_twice_in_a_row(app, bank, make_user, frozen):
    user = make_user()
    attempt_id = start(app, user, "practice", topic="t1")
    question_id, correct = answer(app, attempt_id, 1, right=False)
    assert correct is False
    assert progress(app, user, question_id).in_mistakes is True

    mistakes = start(app, user, "mistakes")
    with app.app_context():
        assert [item.question_id for item in db.session.get(Attempt, mistakes).items] == [question_id]
    answer(app, mistakes, 1, right=True)
    assert progress(app, user, question_id).in_mistakes is True  # once is not enough
    again = start(app, user, "mistakes")
    answer(app, again, 1, right=True)
    assert progress(app, user, question_id).in_mistakes is False
    with pytest.raises(drawing.NothingToPractise):
        start(app, user, "mistakes")


def test_due_today_queue(app, bank, make_user, frozen):
    user = make_user()
    attempt_id = start(app, user, "practice", topic="t1")
    right_id, _ = answer(app, attempt_id, 1, right=True)
    wrong_id, _ = answer(app, attempt_id, 2, right=False)
    with pytest.raises(drawing.NothingToPractise):
        start(app, user, "review")  # nothing is due yet
    frozen["now"] = START + timedelta(days=1)
    review = start(app, user, "review")
    with app.app_context():
        assert {item.question_id for item in db.session.get(Attempt, review).items} == {right_id, wrong_id}
        assert learner_progress.queue_sizes(db.session, user.id, "B", clock.utcnow())["review"] == 2


def test_marathon_covers_the_bank_and_resumes(app, bank, make_user, frozen):
    user = make_user()
    first = start(app, user, "marathon")
    answer(app, first, 1, right=True)
    with app.app_context():
        attempt = db.session.get(Attempt, first)
        assert attempt.total == 60
        attempt_access.mark_shown(db.session, attempt, 5, clock.utcnow())
        db.session.commit()
    assert start(app, user, "marathon") == first
    with app.app_context():
        assert db.session.get(Attempt, first).current_position == 5


def test_pass_probability_matches_the_binomial():
    # 40 questions answered right with p = 0.8 each: P(X >= 32) computed independently.
    expected = sum(math.comb(40, k) * 0.8**k * 0.2 ** (40 - k) for k in range(32, 41))
    assert pass_probability({"a": 0.8, "b": 0.8}, {"a": 20, "b": 20}, 32) == pytest.approx(expected)
    assert pass_probability({"a": 1.0}, {"a": 40}, 32) == pytest.approx(1.0)
    assert pass_probability({"a": 0.0}, {"a": 40}, 32) == pytest.approx(0.0)
    # A weak topic lowers the chance.
    assert pass_probability({"a": 0.95, "b": 0.3}, {"a": 20, "b": 20}, 32) < expected


def test_readiness_page(app, bank, client, auth, make_user, frozen):
    user = make_user()
    auth.login(user.email)
    html = client.get("/exam/readiness").get_data(as_text=True)
    assert "estimated chance of passing is 0%" in html
    attempt_id = start(app, user, "marathon")
    for position in range(1, 26):
        answer(app, attempt_id, position, right=position <= 22)
    soup = BeautifulSoup(client.get("/exam/readiness").get_data(as_text=True), "html.parser")
    assert "Estimated chance of passing" in soup.get_text()
    assert "How we estimate" in soup.get_text()
    assert soup.select_one("table caption") is not None


def test_item_statistics_formulas():
    # Four attempts with scores 4, 3, 1, 0; the top and bottom groups hold one attempt each
    # (round(0.27 * 4) = 1): attempt 1 (score 4) and attempt 4 (score 0).
    answers = [
        Answer(1, 4, 100, True, 10),
        Answer(2, 3, 100, True, 20),
        Answer(3, 1, 100, False, 30),
        Answer(4, 0, 100, False, 40),
        Answer(1, 4, 200, False, 5),
        Answer(2, 3, 200, True, 5),
        Answer(3, 1, 200, True, 5),
        Answer(4, 0, 200, True, 5),
        Answer(1, 4, 300, True, 1),
        Answer(2, 3, 300, True, 1),
        Answer(3, 1, 300, True, 1),
        Answer(4, 0, 300, True, 1),
    ]
    stats = compute(answers)
    assert stats[100].facility == 0.5
    assert stats[100].discrimination == 1.0
    assert stats[100].mean_seconds == 25
    assert stats[100].flags == []
    assert stats[200].facility == 0.75
    assert stats[200].discrimination == -1.0
    assert stats[200].flags == ["negative-discrimination"]
    assert stats[300].facility == 1.0
    assert stats[300].flags == ["too-easy"]
    assert compute([Answer(1, 0, 5, False, 3)])[5].flags == ["too-hard"]


def test_item_statistics_page_and_csv(app, bank, client, auth, make_user, frozen, centre):
    app.config["ITEM_STATS_MIN_ANSWERS"] = 1  # flag from the first answer (the default waits for 30)
    learner = make_user()
    attempt_id = start(app, learner, "exam")
    answer(app, attempt_id, 1, right=True)
    with app.app_context():
        finishing.finish_attempt(db.session, db.session.get(Attempt, attempt_id), clock.utcnow())
        db.session.commit()
    assert client.get("/exam/statistics").status_code == 302
    auth.login(learner.email)
    assert client.get("/exam/statistics").status_code == 403
    auth.logout()
    staff = make_user(role=Role.STAFF, centre_code=centre)
    auth.login(staff.email)
    html = client.get("/exam/statistics").get_data(as_text=True)
    assert "too hard" in html
    response = client.get("/exam/statistics.csv")
    assert response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).strip().splitlines()
    assert lines[0] == '\ufeffQuestion,Question text,Answers,Facility,Discrimination,"Mean time, s",Review'
    assert len(lines) == 41


def test_to_csv_formats_numbers(app):
    class Question:
        code = "t1-001"

    stats = compute([Answer(1, 1, 7, True, 12)])
    with app.test_request_context(headers={"Accept-Language": "en"}):
        line = to_csv([Row(Question(), "Stop?", stats[7])]).splitlines()[1]
    assert line == "t1-001,Stop?,1,1.000,,12.0,too easy"


def test_admin_edits_a_profile(app, bank, client, auth, make_user):
    admin = make_user(role=Role.ADMIN)
    auth.login(admin.email)
    page = client.get("/exam/profiles/B")
    assert page.status_code == 200
    good = {"seconds": "1800", "questions": "30", "pass_mark": "26", "quota-t1": "15", "quota-t2": "15"}
    assert submit_form(client, "/exam/profiles/B", good).status_code == 302
    with app.app_context():
        profile = db.session.scalar(sa.select(ExamProfile))
        assert (profile.seconds, profile.questions, profile.pass_mark, profile.quotas) == (
            1800,
            30,
            26,
            {"t1": 15, "t2": 15},
        )
    bad = {**good, "quota-t1": "31", "questions": "46"}
    response = submit_form(client, "/exam/profiles/B", bad)
    assert response.status_code == 422
    assert "Not enough questions in: t1" in response.get_data(as_text=True)
    mismatch = submit_form(client, "/exam/profiles/B", {**good, "pass_mark": "31"})
    assert "pass mark must be between" in mismatch.get_data(as_text=True)
    auth.logout()
    auth.login(make_user().email)
    assert client.get("/exam/profiles/B").status_code == 403


def test_profile_set_command(app, bank, runner):
    result = runner.invoke(args=["exam", "profile-set", "B", "--seconds", "1200", "--pass-mark", "30"])
    assert result.exit_code == 0, result.output
    assert "B: 40 questions, 1200 s, pass mark 30" in result.output
    result = runner.invoke(args=["exam", "profile-set", "B", "--questions", "41"])
    assert result.exit_code == 1
    assert "add up to 40" in result.output
    result = runner.invoke(args=["exam", "profile-set", "B", "--questions", "41", "--quota", "t1=21"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["exam", "profile-set", "Z", "--seconds", "60"]).exit_code != 0
    with app.app_context():
        assert db.session.scalar(sa.select(ExamProfile.quotas)) == {"t1": 21, "t2": 20}
