"""The result page: the summary first, the next steps at the top (practise these mistakes, the
weak topics), and the review filtered to mistakes, unanswered questions or all."""

import sqlalchemy as sa

from app.core import clock
from app.exam import finishing
from app.exam.models import Attempt
from app.extensions import db
from tests.support.exam import correct_option_ids, owner_of, start
from tests.support.pages import soup


def finished_exam(app, user) -> int:
    """Question 1 right, questions 2 and 3 wrong (topic t1), the rest unanswered."""
    attempt = start(app, owner_of(user))
    key = correct_option_ids(app, attempt)
    with app.app_context():
        exam = db.session.get(Attempt, attempt)
        for item in exam.items[:3]:
            right = key[item.question_id]
            chosen = right if item.position == 1 else next(o for o in item.option_order if o != right)
            item.chosen_option_id, item.is_correct, item.answered_at = chosen, chosen == right, clock.utcnow()
        db.session.commit()
        finishing.finish_attempt(db.session, db.session.get(Attempt, attempt), clock.utcnow())
        db.session.commit()
    return attempt


def test_summary_first_then_next_steps_and_filters(app, bank, client, auth, make_user, frozen):
    user = make_user()
    auth.login(user.email)
    attempt = finished_exam(app, user)
    url = f"/exam/attempts/{attempt}/result"
    page = soup(client.get(url))
    main = page.select_one("main")
    sections = [tag for tag in main.find_all(recursive=False) if tag.name in ("section", "div", "h2")]
    assert "result-summary" in sections[1]["class"]
    assert "result-next" in sections[2]["class"]
    next_steps = page.select_one(".result-next")
    assert next_steps.select_one("input[name=mode][value=mistakes]") is not None
    assert next_steps.select_one("button").get_text(strip=True) == "Practise these mistakes"
    weak = next_steps.select("input[name=topic]")
    assert weak
    assert weak[0]["value"] in ("t1", "t2")
    filters = {a.get_text(strip=True): a["href"] for a in page.select(".result-filters a")}
    assert filters == {
        "Only mistakes (2)": f"{url}?show=mistakes#review-title",
        "Not answered (37)": f"{url}?show=unanswered#review-title",
        "All questions (40)": f"{url}?show=all#review-title",
    }
    assert len(page.select(".question-list > li")) == 40
    mistakes = soup(client.get(f"{url}?show=mistakes"))
    assert [li["value"] for li in mistakes.select(".question-list > li")] == ["2", "3"]
    assert mistakes.select_one(".result-filters a[aria-current=page]").get_text(strip=True) == "Only mistakes (2)"
    assert len(soup(client.get(f"{url}?show=unanswered")).select(".question-list > li")) == 37
    assert len(soup(client.get(f"{url}?show=nonsense")).select(".question-list > li")) == 40


def test_practise_these_mistakes_starts_a_mistakes_session(app, bank, client, auth, make_user, frozen):
    from tests.conftest import submit_form

    user = make_user()
    auth.login(user.email)
    attempt = finished_exam(app, user)
    url = f"/exam/attempts/{attempt}/result"
    form = {"mode": "mistakes", "language": "en", "profile": "B"}
    response = submit_form(client, "/exam/start", form, page_url=url)
    assert "/exam/attempts/" in response.headers["Location"]
    with app.app_context():
        practice = db.session.scalar(sa.select(Attempt).where(Attempt.mode == "mistakes"))
        assert practice.total == 39  # the two wrong and 37 unanswered: every question not answered right


def test_visitors_are_offered_to_sign_in_for_their_mistakes(app, bank, client, frozen):
    from tests.conftest import submit_form

    response = submit_form(client, "/exam/start", {"profile": "B", "language": "en", "mode": "exam"}, page_url="/exam/")
    attempt = int(response.headers["Location"].split("/")[-2])
    submit_form(client, f"/exam/attempts/{attempt}/finish", {}, page_url=f"/exam/attempts/{attempt}/1")
    page = soup(client.get(f"/exam/attempts/{attempt}/result"))
    link = page.select_one(".result-next a.button")
    assert link["href"].startswith("/account/login?next=")
