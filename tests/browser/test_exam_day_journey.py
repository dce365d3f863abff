"""The exam day in a real browser, staff in Russian and the administrator in English, on a phone
(390 px) and a desktop (1280 px): where they land, checking an applicant in by the QR code on their
ticket (decoded from the ticket page's image), destructive actions that ask first, a CSV that parses
with the chosen separator and translated headers, finding a person; axe and Nu clean throughout.
Nothing destructive is confirmed: the live server's data stays as the other journeys expect."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
import zxingcpp
from PIL import Image

from tests.browser.quality import Collected, scrolls_sideways, serious_axe_violations
from tests.browser.support import register_person, screenshot, sign_in

pytestmark = pytest.mark.slow

WIDTHS = [390, 1280]


def booked_applicant(page, base: str) -> tuple[str, str, str]:
    """An applicant's confirmed booking a week ahead: (their e-mail, the booking's page, the QR code's text)."""
    email = register_person(page, base, "en", "examinee")
    week = (date.today() + timedelta(days=8)).isoformat()
    page.goto(f"{base}/booking/centres/ALM?view=week&date={week}")
    page.locator("table.calendar-week form.inline-form button").first.click()
    page.wait_for_url(re.compile(r"/booking/\d+$"))
    page.fill("#fee_receipt", "KZ-2026-009912")
    page.check("#consent_personal_data")
    page.click("form.stack [type=submit]")
    page.wait_for_url(re.compile(r"/booking/\d+$"))
    booking_page = page.url
    image = page.locator("img.qr-code")
    png = page.request.get(base + image.get_attribute("src")).body()
    (found,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return email, booking_page, found.text


def check(page, collected: Collected, name: str, width: int) -> None:
    collected.add(page, f"{name}-{width}")
    assert not scrolls_sideways(page), name
    assert serious_axe_violations(page) == [], name


@pytest.mark.parametrize("width", WIDTHS)
def test_staff_run_the_exam_day_in_russian(live_server, new_page, tmp_path, width):
    _email, booking_page, code = booked_applicant(new_page("en"), live_server)
    booking_id = booking_page.rsplit("/", 1)[1]
    collected = Collected(tmp_path)
    page = new_page("ru", width=width)
    sign_in(page, live_server, "staff@demo.kezek.kz")
    assert page.url == f"{live_server}/staff/centres/ALM/"  # the exam day of their centre
    assert page.locator("html").get_attribute("lang") == "ru"
    if width == 1280:  # the menu in one row
        tops = page.eval_on_selector_all("header nav .nav > li", "items => items.map(item => item.offsetTop)")
        assert len(set(tops)) == 1, tops
    check(page, collected, "day", width)
    screenshot(page, f"exam-day-ru-{width}")

    # Check-in by the scanned QR code: the desk opens the booking; a forged code is refused.
    page.click("nav.subnav a[href='/staff/centres/ALM/check-in']")
    page.fill("#code", code.replace(code[-4:], "AAAA") if not code.endswith("AAAA") else code[:-4] + "BBBB")
    page.press("#code", "Enter")
    page.wait_for_load_state()
    assert "подпись не совпадает" in page.locator(".error-summary").inner_text()
    check(page, collected, "desk-refused", width)
    page.fill("#code", code)
    page.press("#code", "Enter")  # what a hand scanner does
    page.wait_for_url(f"{live_server}/staff/bookings/{booking_id}")
    assert "Регистрация открывается в день экзамена." in page.locator("#step-reason").inner_text()
    check(page, collected, "booking", width)

    # Blocking the applicant's exam time asks first and says how many bookings it cancels.
    page.click("dd a[href^='/staff/slots/']")
    page.wait_for_url(re.compile(r"/staff/slots/\d+$"))
    slot_url = page.url
    page.fill("#reason", "Экзаменационный автомобиль в ремонте")
    page.click("#block-submit")
    page.wait_for_load_state()
    box = page.locator(".confirm-box")
    assert "будет отменена" in box.inner_text() or "будут отменены" in box.inner_text()
    assert box.locator("button.button--danger").count() == 1
    check(page, collected, "confirm-block", width)
    box.locator("a").click()  # "No, go back": nothing is blocked
    page.wait_for_url(slot_url)
    assert page.locator("#block-submit").count() == 1

    # The bookings CSV with the separator spreadsheets in Russian expect, headers in Russian.
    page.goto(f"{live_server}/staff/centres/ALM/dashboard")
    assert page.locator("#bookings-csv-sep").input_value() == "semicolon"
    check(page, collected, "dashboard", width)
    with page.expect_download() as download:
        page.click("form.csv-download button")
    text = download.value.path().read_text(encoding="utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0][:3] == ["Номер записи", "Талон", "Экзамен"]
    assert all(len(row) == len(rows[0]) for row in rows)
    page.select_option("#bookings-csv-sep", "comma")
    with page.expect_download() as download:
        page.click("form.csv-download button")
    assert next(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8")[1:])))[1] == "Талон"
    assert collected.errors() == []


@pytest.mark.parametrize("width", WIDTHS)
def test_the_administrator_finds_and_helps_a_person(live_server, new_page, tmp_path, width):
    email, _booking_page, _code = booked_applicant(new_page("en"), live_server)
    collected = Collected(tmp_path)
    page = new_page("en", width=width)
    sign_in(page, live_server, "admin@demo.kezek.kz")
    assert page.url == f"{live_server}/admin/"
    if width == 1280:
        tops = page.eval_on_selector_all("header nav .nav > li", "items => items.map(item => item.offsetTop)")
        assert len(set(tops)) == 1, tops
    check(page, collected, "overview", width)
    page.click("nav.subnav a[href='/admin/people']")
    page.fill("#query", email.upper())
    page.press("#query", "Enter")
    page.wait_for_url(re.compile(r"/admin/people/\d+\?by=email$"))
    assert page.locator("[aria-labelledby=bookings-title] tbody tr").count() == 1
    assert "Confirmed" in page.locator("[aria-labelledby=bookings-title]").inner_text()
    check(page, collected, "person", width)
    screenshot(page, f"admin-person-en-{width}")
    page.goto(f"{live_server}/admin/audit?action=person-viewed")
    assert "Person's file viewed" in page.locator("main table").inner_text()
    check(page, collected, "audit", width)

    # Deactivating staff asks first (and is not confirmed here).
    page.goto(f"{live_server}/admin/staff")
    page.locator("form[action$='/active'] button").first.click()
    page.wait_for_load_state()
    assert "can no longer sign in" in page.locator(".confirm-box").inner_text()
    check(page, collected, "confirm-deactivate", width)
    page.goto(f"{live_server}/admin/jobs")
    check(page, collected, "jobs", width)
    assert collected.errors() == []
