"""The exam-day page: filters, counts per time, the next time highlighted, and actions shown only
when they are allowed (with the reason otherwise)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup

from app.staff import rules
from tests.conftest import submit_form
from tests.staff.conftest import TODAY_2PM
from tests.support.booking_support import freeze, local, make_slot
from tests.support.staff_support import book_before

T = datetime(2026, 12, 1, 9, tzinfo=UTC)
TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("status", "day", "starts", "ends", "expected"),
    [
        ("confirmed", TODAY, T, T + timedelta(hours=1), ("check-in", None)),
        ("refused", TODAY, T, T + timedelta(hours=1), ("check-in", None)),
        ("confirmed", TODAY + timedelta(days=1), T, T + timedelta(hours=1), (None, "check-in-not-yet")),
        ("confirmed", TODAY, T - timedelta(hours=2), T - timedelta(hours=1), (None, "check-in-over")),
        ("confirmed", TODAY - timedelta(days=1), T, T + timedelta(hours=1), (None, "check-in-over")),
        ("attended", TODAY, T, T + timedelta(hours=1), ("result", None)),
        ("attended", TODAY, T + timedelta(minutes=1), T + timedelta(hours=1), (None, "exam-not-started")),
        ("passed", TODAY, T, T + timedelta(hours=1), (None, None)),
        ("no-show", TODAY, T, T + timedelta(hours=1), (None, None)),
    ],
)
def test_exam_day_step(status, day, starts, ends, expected):
    assert rules.exam_day_step(status, day, TODAY, starts, ends, T) == expected


def _page(client, url):
    return BeautifulSoup(client.get(url).get_data(as_text=True), "html.parser")


def test_counts_per_time_and_the_next_time_highlighted(app, client, auth, make_user, world):
    later = make_slot(app, starts=local(2026, 12, 1, 16), exam="practical", category="C")
    people = [book_before(app, make_user().id, world["ALM"]["slot"]) for _ in range(2)]
    auth.login(world["staff"].email)
    freeze(TODAY_2PM + timedelta(minutes=5))  # the 14:00 theory exam is under way
    documents = {"identity": "y", "medical": "y", "fee": "y", "school": "y"}
    page_url = f"/staff/bookings/{people[0]}"
    assert submit_form(client, f"{page_url}/check-in", documents, page_url=page_url).status_code == 302

    page = _page(client, "/staff/centres/ALM/")
    rows = page.select("table.day-table tbody tr")
    cells = [[cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])] for row in rows]
    assert cells[0][2:6] == ["3 of 20", "1", "0", "0"]  # booked, checked in, no-show, passed
    next_row = page.select_one("tr.slot--next")
    assert f"/staff/slots/{later}" in str(next_row)
    assert "Next" in next_row.get_text()
    # The checked-in applicant's action is the result, the others' the check-in.
    actions = [row.select("td")[-1].get_text(" ", strip=True) for row in page.select("table[aria-labelledby] tbody tr")]
    assert sorted(action.split(" ")[0] for action in actions) == ["Check", "Check", "Enter"]


def test_filters_by_exam_category_and_status(app, client, auth, make_user, world):
    make_slot(app, starts=local(2026, 12, 1, 16), exam="practical", category="C")
    auth.login(world["staff"].email)
    practical = _page(client, "/staff/centres/ALM/?exam=practical")
    assert len(practical.select("table.day-table tbody tr")) == 1
    assert "Practical exam" in practical.select_one("table.day-table tbody tr").get_text()
    assert len(_page(client, "/staff/centres/ALM/?category=B").select("table.day-table tbody tr")) == 1
    assert _page(client, "/staff/centres/ALM/?status=confirmed").select("table[aria-labelledby] tbody tr")
    nobody = _page(client, "/staff/centres/ALM/?status=passed")
    assert not nobody.select("table[aria-labelledby] tbody tr")
    assert "Nobody matches these filters" in nobody.get_text()
    assert client.get("/staff/centres/ALM/?exam=nonsense&status=x").status_code == 200  # unknown: all


def test_actions_appear_only_when_allowed_with_the_reason(app, client, auth, make_user, world):
    tomorrow = make_slot(app, starts=local(2026, 12, 2, 10))
    booking = book_before(app, make_user().id, tomorrow)
    auth.login(world["staff"].email)
    page = _page(client, f"/staff/bookings/{booking}")
    assert page.select_one("#step-reason").get_text() == "Check-in opens on the exam day."
    assert not page.select(f"form[action='/staff/bookings/{booking}/check-in']")
    day = _page(client, "/staff/centres/ALM/?date=2026-12-02")
    assert "Check-in opens on the exam day." in day.select_one("table[aria-labelledby] tbody").get_text()
    today = _page(client, f"/staff/bookings/{world['ALM']['booking']}")
    assert today.select(f"form[action='/staff/bookings/{world['ALM']['booking']}/check-in']")
