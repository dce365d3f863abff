"""The in-app list of notifications: each item's text is fixed when the event happens, items link
where they should (a centre's cancellation: its reason and a priority rebooking), a password-reset
item is not listed, the menu shows the unread count, and the page's statements do not grow with
the number of messages."""

from __future__ import annotations

import sqlalchemy as sa

from app.auth.models import User
from app.booking import holds
from app.booking.models import Booking
from app.booking.places import notify_applicant
from app.extensions import db
from app.notify.services import queue_message
from tests.support.booking_support import NOW, POLICY, book, freeze, local, make_slot, run
from tests.support.pages import soup


def items(client) -> list:
    return soup(client.get("/notifications")).select(".message-list > li")


def test_a_moved_booking_keeps_the_first_message_as_it_was(app, client, auth, make_user, centre):
    freeze(NOW)
    user = make_user()
    booking = book(app, user.id, make_slot(app, starts=local(2026, 12, 3, 9)))
    later = make_slot(app, starts=local(2026, 12, 4, 11))
    run(app, lambda s: holds.reschedule(s, s.get(Booking, booking), later, NOW, POLICY))
    auth.login(user.email)
    subjects = [item.select_one(".message-subject").get_text(strip=True) for item in items(client)]
    assert "Your exam is booked: 3 December, 09:00" in subjects
    assert "Your exam is moved to 4 December, 11:00" in subjects
    links = {a["href"] for item in items(client) for a in item.select("a")}
    assert links == {f"/booking/{booking}"}


def test_a_centres_cancellation_shows_the_reason_and_a_priority_rebooking(app, client, auth, make_user, centre):
    freeze(NOW)
    user = make_user()
    booking = book(app, user.id, make_slot(app))

    def blocked(session):
        notify_applicant(session, session.get(Booking, booking), "slot-blocked", reason="Examiner is ill")

    run(app, blocked)
    auth.login(user.email)
    item = next(li for li in items(client) if "cancelled by the centre" in li.get_text())
    assert "The centre had to close this time: Examiner is ill" in item.get_text()
    action = item.select_one("a")
    assert action.get_text(strip=True) == "Rebook with priority"
    assert action["href"] == "/booking/centres/ALM?exam=theory&category=B"


def test_password_reset_is_not_listed_and_the_menu_counts_unread(app, client, auth, make_user, centre):
    freeze(NOW)
    user = make_user()
    book(app, user.id, make_slot(app))

    def reset(session):
        link = {"url": "http://127.0.0.1/account/reset/x"}
        queue_message(session, kind="password-reset", user=session.get(User, user.id), payload=link, key="r1")

    run(app, reset)
    auth.login(user.email)
    badge = soup(client.get("/")).select_one("header nav a[href='/notifications'] .badge")
    assert badge.get_text(" ", strip=True) == "1 unread"  # the confirmation; the reset is not counted
    listed = items(client)
    assert len(listed) == 1
    assert "Reset" not in listed[0].get_text()
    assert soup(client.get("/")).select_one("header nav a[href='/notifications'] .badge") is None


def test_the_list_costs_the_same_statements_for_few_or_many_messages(app, client, auth, make_user, centre):
    freeze(NOW)
    user = make_user()
    auth.login(user.email)
    with app.app_context():
        engine = db.engine
    booking = book(app, user.id, make_slot(app))
    counts = []
    for first, last in ((1, 2), (2, 14)):

        def moves(session, first=first, last=last):
            for number in range(first, last):
                notify_applicant(session, session.get(Booking, booking), f"rescheduled-{number}")

        run(app, moves)
        statements: list[str] = []

        def count(conn, cursor, statement, *args, statements=statements):
            statements.append(statement)

        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get("/notifications").status_code == 200
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 8
