"""The exam-centre staff member's journey in a real browser, in Kazakh, Russian and English: a weekly
template, publishing slots, then on the exam day the roster, the check-in and the result of an
applicant who booked a place. The server's clock is moved to the exam (it runs in this process)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest

from app.core import clock
from tests.browser.support import register_person, screenshot, sign_in

# A real browser against a live server: `make test` runs it, `make test-fast` leaves it out.
pytestmark = pytest.mark.slow


def book_a_place(page, base: str, language: str) -> tuple[str, datetime]:
    """An applicant's confirmed booking a week ahead: (its staff page path, when the exam starts)."""
    register_person(page, base, language, "examinee")
    week = (date.today() + timedelta(days=8)).isoformat()
    page.goto(f"{base}/booking/centres/ALM?view=week&date={week}")
    page.locator("table.calendar-week form.inline-form button").first.click()
    page.wait_for_url(re.compile(r"/booking/\d+$"))
    booking_id = page.url.rsplit("/", 1)[1]
    page.fill("#fee_receipt", "KZ-2026-009911")
    page.check("#consent_personal_data")
    page.click("form.stack [type=submit]")
    page.wait_for_url(re.compile(r"/booking/\d+$"))
    starts = datetime.fromisoformat(page.locator("dd time[datetime]").first.get_attribute("datetime"))
    return f"/staff/bookings/{booking_id}", starts


def sign_in_as_staff(page, base: str, language: str) -> None:
    sign_in(page, base, "staff@demo.kezek.kz")
    page.click(f"form.lang-switch button[value={language}]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == language


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_staff_journey(live_server, new_page, language):
    staff_booking, starts = book_a_place(new_page(language), live_server, language)
    page = new_page(language)
    sign_in_as_staff(page, live_server, language)

    page.goto(f"{live_server}/staff/centres/ALM/templates")
    page.click("a[href='/staff/centres/ALM/templates/new']")
    page.select_option("#weekday", "5")  # Saturday: the demo centres publish weekdays only
    page.check("input[name=categories][value=B]")
    page.fill("#opens_at", "10:00")
    page.fill("#closes_at", "12:00")
    page.fill("#slot_minutes", "60")
    page.fill("#capacity", "6")
    page.fill("#valid_from", date.today().isoformat())
    page.click("#submit")
    page.wait_for_url(f"{live_server}/staff/centres/ALM/templates")
    page.click("form[action='/staff/centres/ALM/generate'] button")
    page.wait_for_url(f"{live_server}/staff/centres/ALM/templates")
    screenshot(page, f"staff-templates-{language}")

    clock.set_clock(lambda: starts + timedelta(minutes=5))  # the exam day, the exam has begun
    try:
        page.goto(f"{live_server}{staff_booking}")
        page.click("dd a[href^='/staff/slots/']")  # the roster of that time
        page.wait_for_url(re.compile(r"/staff/slots/\d+$"))
        page.click(f"a[href='{staff_booking}']")
        page.wait_for_url(f"{live_server}{staff_booking}")
        for document in ("identity", "medical", "fee", "school"):
            page.check(f"#{document}")
        page.click(f"form[action='{staff_booking}/check-in'] [type=submit]")
        page.wait_for_url(re.compile(r"/staff/slots/\d+$"))  # admitted: back to the roster
        page.click(f"a[href='{staff_booking}']")  # now "Enter the result"
        page.wait_for_url(f"{live_server}{staff_booking}")
        page.fill("#points", "36")  # theory: right answers of 40, passed from 32
        page.click(f"form[action='{staff_booking}/result'] [type=submit]")
        page.wait_for_load_state()
        page.goto(f"{live_server}{staff_booking}")
        assert page.locator(f"form[action='{staff_booking}/result']").count() == 0  # recorded
        screenshot(page, f"staff-result-{language}")
    finally:
        clock.set_clock(None)
