"""The home page: a trial exam in one tap for visitors; a personal page for signed-in learners;
and the trial exams a visitor took in this browser carried into the account on sign-in or
registration (their results reachable, counted in history, readiness and practice)."""

import re
from datetime import timedelta

import sqlalchemy as sa

from app.core import clock
from app.exam import attempt_access, finishing
from app.exam.models import Attempt, QuestionProgress
from app.extensions import db
from tests.conftest import PASSWORD, submit_form
from tests.support.booking_support import book, make_slot
from tests.support.exam import START, start
from tests.support.mail import confirm_registration
from tests.support.pages import soup


def anonymous_exam(client, app) -> int:
    """Start a trial exam from the home page's one button, answer one question, finish it."""
    home = soup(client.get("/"))
    form = home.select_one("form.quick-start")
    assert form.select_one("select[name=profile] option[selected]")["value"] == "B"
    response = submit_form(client, form["action"], {"profile": "B", "language": "en", "mode": "exam"}, page_url="/")
    attempt = int(re.search(r"/attempts/(\d+)/1$", response.headers["Location"]).group(1))
    with app.app_context():
        item = db.session.get(Attempt, attempt).items[0]
        option = item.option_order[0]
    submit_form(client, f"/exam/attempts/{attempt}/1", {"option": option, "go": "finish"})
    submit_form(client, f"/exam/attempts/{attempt}/finish", {})
    return attempt


def test_a_visitor_starts_a_trial_exam_in_one_tap_and_keeps_it_by_signing_in(app, bank, client, make_user, frozen):
    attempt = anonymous_exam(client, app)
    user = make_user()
    assert submit_form(client, "/account/login", {"email": user.email, "password": PASSWORD}).status_code == 302
    with app.app_context():
        moved = db.session.get(Attempt, attempt)
        assert (moved.user_id, moved.anonymous_key) == (user.id, None)
        # Counted in practice: the 40 questions of the finished exam are in the learner's progress.
        assert db.session.scalar(sa.select(sa.func.count()).where(QuestionProgress.user_id == user.id)) == 40
    assert client.get(f"/exam/attempts/{attempt}/result").status_code == 200
    history = soup(client.get("/exam/history"))
    assert history.select_one(f"a[href='/exam/attempts/{attempt}/result']") is not None
    home = soup(client.get("/"))
    assert home.select_one(f".result-list a[href='/exam/attempts/{attempt}/result']") is not None
    # readiness counts its answers: without them the page says none was answered yet
    assert "Estimated chance of passing the official exam" in home.get_text()


def test_registering_keeps_the_visitors_exams(app, bank, client, frozen):
    attempt = anonymous_exam(client, app)
    form = {
        "email": "new@example.kz",
        "full_name": "Дана Серікқызы",
        "iin": "880515300208",
        "language": "en",
        "password": "kolik-zhol-777",
        "password_confirm": "kolik-zhol-777",
    }
    assert submit_form(client, "/account/register", form).status_code == 302
    # The account opens (and signs in) from the e-mail's link, in this same browser.
    assert confirm_registration(client, app, form["email"]).status_code == 302
    assert client.get(f"/exam/attempts/{attempt}/result").status_code == 200
    with app.app_context():
        assert db.session.get(Attempt, attempt).user_id is not None


def test_adoption_moves_only_those_browsers_attempts_once(app, bank, make_user, frozen):
    mine, theirs = attempt_access.Owner(anonymous_key="mine"), attempt_access.Owner(anonymous_key="theirs")
    first, other = start(app, mine), start(app, theirs)
    user, rival = make_user(), make_user()
    with app.app_context():
        assert attempt_access.adopt_anonymous(db.session, ["mine", ""], user.id) == [first]
        assert attempt_access.adopt_anonymous(db.session, ["mine"], rival.id) == []
        db.session.commit()
        assert db.session.get(Attempt, other).user_id is None
        # An open exam joins the account and feeds progress when it finishes, as any exam does.
        assert db.session.scalar(sa.select(sa.func.count()).select_from(QuestionProgress)) == 0
        finishing.finish_attempt(db.session, db.session.get(Attempt, first), clock.utcnow())
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).where(QuestionProgress.user_id == user.id)) == 40


def test_the_learners_page_shows_readiness_topics_next_booking_and_results(app, bank, client, auth, make_user, centre):
    from tests.support.booking_support import NOW, freeze

    freeze(NOW)
    user = make_user(full_name="Әлия")
    booking = book(app, user.id, make_slot(app))
    auth.login(user.email)
    clock.set_clock(lambda: START)
    attempt = start(app, attempt_access.Owner(user_id=user.id))
    with app.app_context():
        exam = db.session.get(Attempt, attempt)
        for item in exam.items:
            item.chosen_option_id, item.is_correct, item.answered_at = item.option_order[0], True, START
        db.session.commit()
        finishing.finish_attempt(db.session, exam, START + timedelta(minutes=5))
        db.session.commit()
    freeze(NOW)
    page = soup(client.get("/"))
    assert page.h1.get_text(strip=True) == "Hello, Әлия"
    assert page.select_one(f"#booking-title ~ p a[href='/booking/{booking}']") is not None
    assert len(page.select(".topic-bars meter")) == 2
    assert {a["href"] for a in page.select(".study-next a")} == {
        "/exam/?topic=t1#practice-title",
        "/exam/?topic=t2#practice-title",
    }
    assert page.select_one(f".result-list a[href='/exam/attempts/{attempt}/result']") is not None
    practice = soup(client.get("/exam/?topic=t2"))
    assert practice.select_one("#practice-topic option[selected]")["value"] == "t2"
