"""The applicant's journey in a real browser, in Kazakh, Russian and English: register, book a place
at a centre, confirm it, download the calendar file, move it to another time, cancel it — each
irreversible step only after its confirmation page. On a phone (390 px) in Kazakh and English, on a
desktop (1280 px) in Russian: no page scrolls sideways, no AM/PM in Kazakh or Russian."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.browser.support import no_am_pm, no_sideways_scroll, register_person, screenshot, serious_violations

# A real browser against a live server: `make test` runs it, `make test-fast` leaves it out.
pytestmark = pytest.mark.slow


@pytest.mark.parametrize(("language", "width"), [("kk", 390), ("ru", 1280), ("en", 390)])
def test_applicant_journey(live_server, new_page, language, width):
    page = new_page(language, width=width)
    register_person(page, live_server, language, "applicant")

    # 8 days ahead (its week starts 2 days ahead at the earliest): outside the booking cut-off,
    # inside the demo's four weeks of slots.
    week = (date.today() + timedelta(days=8)).isoformat()
    page.goto(f"{live_server}/booking/centres/ALM?view=week&date={week}")
    no_sideways_scroll(page)
    no_am_pm(page, language)
    page.locator("table.calendar-week form.inline-form button").first.click()
    page.wait_for_url(re.compile(r"/booking/\d+$"))
    booking = page.url
    assert page.locator(".countdown").count() == 1  # the hold's time left

    page.fill("#fee_receipt", "KZ-2026-004217")
    page.check("#consent_personal_data")
    page.click("form.stack [type=submit]")
    page.wait_for_url(booking)
    assert page.locator(f"a[href$='{booking.removeprefix(live_server)}/print']").count() == 1  # confirmed
    screenshot(page, f"applicant-confirmed-{language}-{width}")

    with page.expect_download() as download:
        page.click("a[download]")
    calendar = download.value.path().read_text()
    assert "BEGIN:VEVENT" in calendar
    assert "METHOD:REQUEST" in calendar

    page.click(f"a[href$='{booking.removeprefix(live_server)}/reschedule']")
    page.wait_for_url(re.compile(r"/reschedule"))
    page.locator("table form.inline-form button").last.click()  # not the current time: the latest
    assert page.locator(".confirm-step").count() == 1  # the move is spelt out first
    no_sideways_scroll(page)
    page.click(".confirm-step button.button--danger")
    page.wait_for_url(booking)
    assert page.locator(".flash, [role=status], [role=alert]").count() >= 1
    screenshot(page, f"applicant-moved-{language}")

    page.click("form button.button--danger")
    assert page.locator(".confirm-step").count() == 1  # a stray click cancels nothing
    assert serious_violations(page) == []
    screenshot(page, f"applicant-cancel-confirm-{language}-{width}")
    no_sideways_scroll(page)
    no_am_pm(page, language)
    page.click(".confirm-step a.button--secondary")  # keep it
    page.wait_for_url(booking)
    assert page.locator(f"a[href$='{booking.removeprefix(live_server)}/print']").count() == 1  # still confirmed
    page.click("form button.button--danger")
    page.click(".confirm-step button.button--danger")
    page.wait_for_url(re.compile(r"/booking/"))
    page.goto(booking)
    assert page.locator("#change-title").count() == 0  # nothing left to change or cancel
    screenshot(page, f"applicant-cancelled-{language}")
