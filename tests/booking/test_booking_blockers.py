"""The calendar says what blocks a booking before anyone clicks (an active booking with a link to
it, practical before theory, a cool-down's end, a priority rebooking), and why a time is not
bookable now; exam times read the same way in every language."""

from datetime import timedelta

import pytest

from app.booking import holds
from app.booking.models import Booking
from app.booking.when import exam_when
from tests.support.booking_support import NOW, POLICY, book, local, make_slot, run
from tests.support.pages import soup

TABLE = "/booking/centres/ALM?exam={exam}&category=B&view=table&date=2026-12-01"


def test_an_active_booking_is_shown_with_a_link(app, client, applicant):
    booking = book(app, applicant.id, make_slot(app))
    blocker = soup(client.get(TABLE.format(exam="theory"))).select_one(".blocker")
    assert "You already have an active booking for this exam" in blocker.get_text()
    assert blocker.select_one("a")["href"] == f"/booking/{booking}"


def test_practical_needs_a_passed_theory_exam(app, client, applicant):
    blocker = soup(client.get(TABLE.format(exam="practical"))).select_one(".blocker")
    assert "only after a passed theory exam" in blocker.get_text()
    assert soup(client.get(TABLE.format(exam="theory"))).select_one(".blocker") is None


def test_the_cool_down_names_its_end(app, client, applicant):
    for minute, day in ((1, 3), (2, 4)):
        at = NOW + timedelta(minutes=minute)
        booking = book(app, applicant.id, make_slot(app, starts=local(2026, 12, day)), now=at)
        run(app, lambda s, booking=booking, at=at: holds.cancel(s, s.get(Booking, booking), at, POLICY))
    blocker = soup(client.get(TABLE.format(exam="theory"))).select_one(".blocker")
    assert "the next one from" in blocker.get_text()


def test_a_time_too_close_says_why(app, client, applicant):
    make_slot(app, starts=local(2026, 12, 1, 15))  # within the 24-hour cut-off
    row = soup(client.get(TABLE.format(exam="theory"))).select_one("tbody tr")
    assert "Too close: booking closes 24 hours before the exam." in row.get_text()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("kk", "дүйсенбі, 07.12.2026, 09:00"),
        ("ru", "понедельник, 07.12.2026, 09:00"),
        ("en", "Monday, December 7, 2026, 9:00\u202fAM"),
    ],
)
def test_exam_times_in_one_style_per_language(app, language, expected):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale(language):
        assert exam_when(local(2026, 12, 7, 9), "Asia/Almaty") == expected


def test_the_booking_page_has_no_am_pm_in_russian(app, client, applicant):
    booking = book(app, applicant.id, make_slot(app))
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"
    page = soup(client.get(f"/booking/{booking}"))
    assert "четверг, 03.12.2026, 09:00" in page.get_text()
    assert " AM" not in page.get_text()


def test_a_full_time_in_the_week_view_leads_to_the_waitlist(app, client, applicant, make_user):
    full = make_slot(app, capacity=1)
    book(app, make_user().id, full)
    week = soup(client.get("/booking/centres/ALM?exam=theory&category=B&view=week&date=2026-12-03"))
    link = next(a for a in week.select("tbody td a") if "Full" in a.get_text())
    assert "join the waitlist" in link.get_text()
    table = soup(client.get(link["href"]))
    assert table.select_one(f"form[action='/booking/slots/{full}/waitlist']") is not None
