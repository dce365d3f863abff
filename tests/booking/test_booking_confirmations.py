"""Every irreversible booking step asks first: the first press shows what it costs (a danger-styled
page), only the second acts, and going back changes nothing."""

from __future__ import annotations

import pytest

from app.auth.models import User
from app.booking import waitlist
from app.booking.models import WaitlistEntry
from app.extensions import db
from tests.conftest import submit_form
from tests.support.booking_support import NOW, POLICY, book, booking_state, hold, local, make_slot, run
from tests.support.pages import soup


def confirmation(response) -> tuple[str, str]:
    page = soup(response)
    step = page.select_one(".confirm-step")
    assert step is not None, "no confirmation page"
    assert step.select_one("input[name=confirmed]")["value"] == "yes"
    assert step.select_one("button.button--danger") is not None
    return step.h1.get_text(strip=True), step.get_text(" ", strip=True)


def test_cancelling_shows_the_cool_down_and_only_the_second_press_cancels(client, app, applicant):
    booking = book(app, applicant.id, make_slot(app))
    page = f"/booking/{booking}"
    first = submit_form(client, f"{page}/cancel", {}, page_url=page)
    assert first.status_code == 200
    title, text = confirmation(first)
    assert title == "Cancel this booking?"
    assert "ALM-T-20261203-0001" in text
    assert "A cool-down of 10 days starts: until December 11, 2026" in text
    assert soup(first).select_one(".confirm-step a")["href"] == page
    assert booking_state(app, booking)["status"] == "confirmed"

    second = submit_form(client, f"{page}/cancel", {"confirmed": "yes"}, page_url=page)
    assert second.status_code == 302
    assert booking_state(app, booking)["status"] == "cancelled"


def test_letting_a_hold_go_asks_first(client, app, applicant):
    booking = hold(app, applicant.id, make_slot(app))
    page = f"/booking/{booking}"
    title, text = confirmation(submit_form(client, f"{page}/cancel", {}, page_url=page))
    assert title == "Let this place go?"
    assert "cool-down" not in text
    assert booking_state(app, booking)["status"] == "held"


def test_cancelling_a_cancelled_booking_asks_nothing(client, app, applicant):
    booking = book(app, applicant.id, make_slot(app))
    page = f"/booking/{booking}"
    submit_form(client, f"{page}/cancel", {"confirmed": "yes"}, page_url=page)
    response = submit_form(client, f"{page}/cancel", {}, page_url=page)
    assert (response.status_code, response.headers["Location"]) == (302, page)


def test_moving_shows_moves_left_and_the_new_ticket(client, app, applicant):
    old, new = make_slot(app), make_slot(app, starts=local(2026, 12, 7))
    booking = book(app, applicant.id, old)
    url = f"/booking/{booking}/reschedule"
    first = submit_form(client, url, {"slot_id": new}, page_url=url)
    title, text = confirmation(first)
    assert title == "Move the booking?"
    assert "After this move 1 move is left." in text
    assert "new ticket number; the ticket ALM-T-20261203-0001 stops being valid" in text
    assert soup(first).select_one(".confirm-step input[name=slot_id]")["value"] == str(new)
    assert booking_state(app, booking)["slot_id"] == old

    submit_form(client, url, {"slot_id": new, "confirmed": "yes"}, page_url=url)
    assert booking_state(app, booking)["slot_id"] == new


def test_leaving_a_waitlist_asks_first(client, app, applicant, make_user):
    slot = make_slot(app, capacity=1)
    book(app, make_user().id, slot)
    entry = run(app, lambda s: waitlist.join_waitlist(s, s.get(User, applicant.id), slot, NOW, POLICY, whole_day=True))
    url = f"/booking/waitlist/{entry}/leave"
    title, _ = confirmation(submit_form(client, url, {}, page_url="/booking/mine"))
    assert title == "Leave the waitlist?"
    with app.app_context():
        assert db.session.get(WaitlistEntry, entry).status == "waiting"
    submit_form(client, url, {"confirmed": "yes"}, page_url="/booking/mine")
    with app.app_context():
        assert db.session.get(WaitlistEntry, entry).status == "left"


@pytest.mark.parametrize(("language", "title"), [("kk", "Жазылудан бас тарту керек пе?"), ("ru", "Отменить запись?")])
def test_confirmation_in_every_language(client, app, applicant, language, title):
    booking = book(app, applicant.id, make_slot(app))
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    page = f"/booking/{booking}"
    assert confirmation(submit_form(client, f"{page}/cancel", {}, page_url=page))[0] == title
