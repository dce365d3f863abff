"""A change lost to a request that changed the same row at the same moment (tests/hardening/test_races.py
makes that happen on PostgreSQL) reaches people as a message on the page, never a server error."""

from __future__ import annotations

import pytest

from app.auth.models import User
from app.booking import holds, results, waitlist
from app.core.locking import ConcurrentChange
from app.staff import exam_day, slots
from tests.conftest import submit_form
from tests.support.booking_support import NOW, POLICY, book, freeze, make_slot, run
from tests.support.pages import flashes

MESSAGE = "This was changed by another request at the same moment."


def lose_every_race(monkeypatch) -> None:
    """From now on every lock finds its row changed by another request meanwhile."""

    def changed_meanwhile(session, row, *watched):
        raise ConcurrentChange()

    for module in (holds, waitlist, results, slots, exam_day):
        monkeypatch.setattr(module, "lock", changed_meanwhile)


@pytest.fixture
def applicant(client, auth, make_user, centre):
    freeze(NOW)
    user = make_user()
    auth.login(user.email)
    return user


def test_a_cancel_lost_to_another_request_is_a_message(app, client, applicant, monkeypatch):
    booking = book(app, applicant.id, make_slot(app))
    page = f"/booking/{booking}"
    lose_every_race(monkeypatch)

    response = submit_form(client, f"{page}/cancel", {"confirmed": "yes"}, page_url=page)

    assert (response.status_code, response.headers["Location"]) == (302, page)
    assert MESSAGE in flashes(client.get(page))


def test_leaving_a_waitlist_lost_to_an_offer_is_a_message(app, client, applicant, make_user, monkeypatch):
    slot = make_slot(app, capacity=1)
    book(app, make_user().id, slot)
    entry = run(
        app,
        lambda s: waitlist.join_waitlist(s, s.get(User, applicant.id), slot, NOW, POLICY, whole_day=True),
    )
    lose_every_race(monkeypatch)

    response = submit_form(client, f"/booking/waitlist/{entry}/leave", {"confirmed": "yes"}, page_url="/booking/mine")

    assert (response.status_code, response.headers["Location"]) == (302, "/booking/mine")
    assert MESSAGE in flashes(client.get("/booking/mine"))
