"""The fair-release pages: a request with ordered choices filed and reordered without JavaScript,
withdrawn, and the public results with their verification."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.auth.models import User
from app.extensions import db
from app.rounds.models import RoundRequest
from tests.conftest import submit_form
from tests.support.booking_support import NOW, freeze
from tests.support.pages import soup
from tests.support.rounds_support import DRAW, announce_round, round_slots


def _verified(app, make_user):
    user = make_user()
    with app.app_context():
        db.session.execute(
            sa.update(User).where(User.id == user.id).values(phone="+77012345678", phone_confirmed_at=NOW)
        )
        db.session.commit()
    return user


def _choices(app, round_id):
    with app.app_context():
        return db.session.scalar(sa.select(RoundRequest.choices).where(RoundRequest.round_id == round_id))


def test_file_reorder_and_withdraw_a_request_without_javascript(app, client, auth, centre, make_user):
    slots = round_slots(app, count=3)
    round_id = announce_round(app)
    user = _verified(app, make_user)
    auth.login(user.email)
    freeze(NOW + timedelta(minutes=3))
    page = client.get(f"/rounds/{round_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "First choice" in html
    assert "<script" not in html.split("<main", 1)[-1].split("</main>", 1)[0]
    url = f"/rounds/{round_id}/request"
    answer = submit_form(
        client,
        url,
        {"choice_1": slots[2], "choice_2": slots[0], "choice_3": 0, "choice_4": 0, "choice_5": 0},
        page_url=f"/rounds/{round_id}",
        follow_redirects=True,
    )
    assert "Your request is saved" in answer.get_data(as_text=True)
    assert _choices(app, round_id) == [slots[2], slots[0]]
    # Down with the first: the order swaps.
    submit_form(client, f"/rounds/{round_id}/request/move", {"index": 0, "step": "1"}, page_url=f"/rounds/{round_id}")
    assert _choices(app, round_id) == [slots[0], slots[2]]
    # The same time twice is refused on the form.
    again = submit_form(
        client,
        url,
        {"choice_1": slots[1], "choice_2": slots[1], "choice_3": 0, "choice_4": 0, "choice_5": 0},
        page_url=f"/rounds/{round_id}",
    )
    assert again.status_code == 422
    assert "only once" in again.get_data(as_text=True)
    submit_form(client, f"/rounds/{round_id}/request/withdraw", {}, page_url=f"/rounds/{round_id}")
    assert _choices(app, round_id) is None


def test_an_applicant_without_a_confirmed_phone_is_sent_to_confirm_it(app, client, auth, centre, make_user):
    """Before the first request the page says the phone must be confirmed and links to where; filing
    anyway is refused with the same message, and nothing is filed."""
    slots = round_slots(app, count=2)
    round_id = announce_round(app)
    user = make_user()
    auth.login(user.email)
    freeze(NOW + timedelta(minutes=3))
    page = soup(client.get(f"/rounds/{round_id}"))
    notice = page.select_one("#cannot-file")
    assert "Confirm your phone number" in notice.get_text()
    assert notice.select_one("a")["href"] == "/account/profile#phone-title"
    answer = submit_form(
        client,
        f"/rounds/{round_id}/request",
        {"choice_1": slots[0], "choice_2": 0, "choice_3": 0, "choice_4": 0, "choice_5": 0},
        page_url=f"/rounds/{round_id}",
        follow_redirects=True,
    )
    assert "Confirm your phone number" in answer.get_data(as_text=True)
    assert _choices(app, round_id) is None
    # Confirmed, the notice is gone.
    with app.app_context():
        db.session.execute(
            sa.update(User).where(User.id == user.id).values(phone="+77012345678", phone_confirmed_at=NOW)
        )
        db.session.commit()
    assert soup(client.get(f"/rounds/{round_id}")).select_one("#cannot-file") is None


def test_results_page_verifies_the_draw_in_every_language(app, client, auth, centre, make_user, runner):
    slots = round_slots(app, count=1, capacity=1)
    round_id = announce_round(app)
    user = _verified(app, make_user)
    auth.login(user.email)
    freeze(NOW + timedelta(minutes=3))
    submit_form(
        client,
        f"/rounds/{round_id}/request",
        {"choice_1": slots[0], "choice_2": 0, "choice_3": 0, "choice_4": 0, "choice_5": 0},
        page_url=f"/rounds/{round_id}",
    )
    freeze(DRAW)
    assert runner.invoke(args=["rounds", "draw", str(round_id)]).exit_code == 0
    mine = client.get("/rounds/mine").get_data(as_text=True)
    assert "Won a place" in mine
    auth.logout()
    expected = {
        "en": "The published draw matches",
        "ru": "Опубликованная жеребьёвка совпадает",
        "kk": "Жарияланған жеребе сәйкес келеді",
    }
    for language, text in expected.items():
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        page = client.get(f"/rounds/{round_id}/results")
        assert page.status_code == 200
        assert text in page.get_data(as_text=True)
    assert client.get("/rounds/").status_code == 200
