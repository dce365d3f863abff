"""Booking in the browser: find, hold, confirm, print, calendar, move, cancel, waitlist — with
CSRF, access checks and three languages."""

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.booking.models import Booking
from app.centres.services import find_centre
from app.extensions import db
from tests.conftest import make_centre, submit_form
from tests.support.booking_support import NOW, POLICY, book, freeze, local, make_slot
from tests.support.pages import flashes, soup

CENTRE_TABLE = "/booking/centres/ALM?exam=theory&category=B&view=table&date=2026-12-03"


def hold_in_browser(client, slot, page=CENTRE_TABLE):
    return submit_form(client, f"/booking/slots/{slot}/hold", {"next": page}, page_url=page)


def only_booking_id(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Booking.id))


@pytest.mark.parametrize("path", ["/booking/", "/booking/mine", "/booking/centres/ALM"])
def test_booking_pages_are_for_signed_in_applicants(client, auth, make_user, centre, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login?next=")
    staff = make_user(role=Role.STAFF, centre_code="ALM")
    auth.login(staff.email)
    assert client.get(path).status_code == 403


def test_navigation_links_for_applicants(client, applicant):
    links = {a["href"] for a in soup(client.get("/")).select("header nav a")}
    assert {"/booking/", "/booking/mine"} <= links


def test_centres_by_city_and_earliest_free_place(client, app, applicant):
    make_slot(app, starts=local(2026, 12, 4))
    page = soup(client.get("/booking/"))
    assert "1 Abai Avenue" in page.get_text()
    response = client.get("/booking/?city=Almaty&exam=theory&category=B")
    table = soup(response).select_one("table")
    assert table.caption is not None
    row = table.select_one("tbody tr")
    assert row.th.get_text(strip=True) == "ALM centre"
    assert "December 4, 2026" in row.get_text()
    assert "20 free places" in row.get_text()


def test_calendar_views(client, app, applicant):
    make_slot(app, starts=local(2026, 12, 3, 9))
    make_slot(app, starts=local(2026, 12, 3, 10), capacity=1)
    make_slot(app, starts=local(2026, 12, 3, 11), exam="practical", capacity=4)
    book(app, applicant.id, make_slot(app, starts=local(2026, 12, 4, 9), capacity=1))

    month = soup(client.get("/booking/centres/ALM?view=month&date=2026-12-01&exam=theory&category=B"))
    assert "December 2026" in month.caption.get_text()
    cells = {cell.select_one(".calendar-month__day").get_text(): cell for cell in month.select("td") if cell.span}
    assert "21 free" in cells["3"].get_text()
    assert "Full" in cells["4"].get_text()

    week = soup(client.get("/booking/centres/ALM?view=week&date=2026-12-03&exam=theory&category=B"))
    assert [th.get_text() for th in week.select("tbody th[scope=row]")] == ["9:00 AM", "10:00 AM"]
    assert len(week.select("tbody form")) == 2  # a hold button in each free cell

    table = soup(client.get(CENTRE_TABLE))
    assert all(th.get("scope") == "col" for th in table.select("thead th"))
    rows = table.select("tbody tr")
    assert len(rows) == 3  # the theory slots of the week, not the practical one
    assert "20 free places" in rows[0].get_text()


def test_the_calendar_opens_where_the_first_free_place_is(client, app, applicant):
    make_slot(app, starts=local(2026, 12, 16, 10))
    make_slot(app, starts=local(2026, 12, 22, 10))

    week = soup(client.get("/booking/centres/ALM?exam=theory&category=B"))
    assert "14 Dec – 20 Dec 2026" in week.select_one("table caption").get_text()
    assert len(week.select("tbody form")) == 1
    assert week.select_one(".first-free") is None

    month = soup(client.get("/booking/centres/ALM?exam=theory&category=B&view=month"))
    assert "December 2026" in month.caption.get_text()


def test_a_period_with_nothing_free_links_to_the_first_free_place(client, app, applicant):
    book(app, applicant.id, make_slot(app, starts=local(2026, 12, 3, 10), capacity=1))  # full
    make_slot(app, starts=local(2027, 1, 13, 10))

    for view in ("week", "table", "month"):
        page = soup(client.get(f"/booking/centres/ALM?exam=theory&category=B&view={view}&date=2026-12-02"))
        hint = page.select_one(".first-free")
        assert "No free places in this period." in hint.get_text(), view
        assert "First free place: Wednesday, January 13, 2027, 10:00 AM" in hint.get_text(" ", strip=True)
        assert f"view={view}" in hint.a["href"]
        assert "date=2027-01-13" in hint.a["href"]
    assert (
        soup(client.get("/booking/centres/ALM?exam=theory&category=B&view=month&date=2027-01-01")).select_one(
            ".first-free"
        )
        is None
    )

    elsewhere = soup(client.get("/booking/centres/ALM?exam=practical&category=B&view=week&date=2026-12-02"))
    assert "No place at this centre can be booked" in elsewhere.select_one(".first-free").get_text()


def test_exams_past_the_change_cut_off_are_shown_but_not_offered(client, app, applicant):
    make_slot(app, starts=local(2026, 11, 30, 9))  # yesterday
    make_slot(app, starts=local(2026, 12, 1, 15))  # today, within the 24 hours before the exam
    make_slot(app, starts=local(2026, 12, 3, 9))
    query = "/booking/centres/ALM?exam=theory&category=B&date=2026-12-01&view="

    week = soup(client.get(query + "week"))
    assert [form.get_text(strip=True) for form in week.select("tbody form")] == ["20 free places"]
    assert [link.get_text(strip=True) for link in week.select("tbody td a")] == ["Not bookable now"] * 2

    table = soup(client.get(query + "table"))
    rows = [row.select("td") for row in table.select("tbody tr")]
    assert [cells[1].get_text(" ", strip=True) for cells in rows] == [
        "Not bookable now This time has passed.",
        "Not bookable now Too close: booking closes 24 hours before the exam.",
        "20 free places",
    ]
    assert [bool(cells[2].select("form")) for cells in rows] == [False, False, True]  # no hold, no waitlist

    month = soup(client.get(query + "month"))
    days = {cell.select_one(".calendar-month__day").get_text(): cell for cell in month.select("td") if cell.span}
    assert "20 free" in days["3"].get_text()
    assert days["1"].a is None


def test_after_a_centre_cancelled_their_exam_the_calendar_offers_times_inside_the_cut_off(client, app, applicant):
    from app.booking.models import Slot
    from app.core.acting import Acting
    from app.staff import slots

    blocked = make_slot(app)
    book(app, applicant.id, blocked)
    with app.app_context():
        slots.block_slot(
            Acting(db.session, None, NOW, POLICY), db.session.get(Slot, blocked), "Examiner ill", audited=False
        )
        db.session.commit()
    soon = make_slot(app, starts=local(2026, 12, 1, 15))  # within the change cut-off

    week = soup(client.get("/booking/centres/ALM?exam=theory&category=B&view=week&date=2026-12-01"))
    assert [form["action"] for form in week.select("tbody form")] == [f"/booking/slots/{soon}/hold"]
    page = "/booking/centres/ALM?exam=theory&category=B&view=week&date=2026-12-01"
    assert hold_in_browser(client, soon, page).status_code == 302
    with app.app_context():
        held = db.session.scalars(sa.select(Booking.status).where(Booking.slot_id == soon)).all()
    assert held == ["held"]


def test_month_counts_each_slot_on_the_centres_own_day(app, centre):
    """The database adds the month up by the centre's days: a slot just after local midnight is on
    that day, whatever its UTC date, also in a month whose clocks change (Berlin, 28 March 2027)."""
    from app.booking import availability

    make_centre(app, "BER", timezone="Europe/Berlin")
    berlin = ZoneInfo("Europe/Berlin")
    make_slot(app, starts=local(2026, 12, 5, 0), capacity=3)  # 19:00 UTC on the 4th
    make_slot(app, starts=local(2026, 12, 4, 23), capacity=2)
    make_slot(app, starts=local(2026, 12, 31, 23), capacity=1)
    make_slot(app, starts=local(2027, 1, 1, 0), capacity=9)  # the next month
    make_slot(app, centre_code="BER", starts=datetime(2027, 3, 28, 0, 30, tzinfo=berlin), capacity=4)
    make_slot(app, centre_code="BER", starts=datetime(2027, 3, 29, 0, 30, tzinfo=berlin), capacity=5)
    make_slot(app, centre_code="BER", starts=datetime(2027, 3, 31, 23, 30, tzinfo=berlin), capacity=6)

    def month(code: str, first: date, last: date) -> dict:
        with app.app_context():
            found = find_centre(db.session, code)
            times = availability.ExamTimes(found, "theory", "B", first, last)
            return availability.places_by_day(
                db.session, NOW, times, replace(POLICY, window=timedelta(days=365)).booking_open(NOW)
            )

    assert month("ALM", date(2026, 12, 1), date(2026, 12, 31)) == {
        date(2026, 12, 4): availability.DayPlaces(1, 2),
        date(2026, 12, 5): availability.DayPlaces(1, 3),
        date(2026, 12, 31): availability.DayPlaces(1, 1),
    }
    assert month("BER", date(2027, 3, 1), date(2027, 3, 31)) == {
        date(2027, 3, 28): availability.DayPlaces(1, 4),
        date(2027, 3, 29): availability.DayPlaces(1, 5),
        date(2027, 3, 31): availability.DayPlaces(1, 6),
    }


def test_month_and_week_count_expired_holds_as_free_places(app, centre, make_user):
    from app.booking import availability
    from tests.support.booking_support import hold

    slot = make_slot(app, starts=local(2026, 12, 3, 9), capacity=2)
    hold(app, make_user().id, slot, NOW - timedelta(hours=1))  # long expired, not yet swept
    book(app, make_user().id, slot)
    with app.app_context():
        times = availability.ExamTimes(
            find_centre(db.session, "ALM"), "theory", "B", date(2026, 12, 1), date(2026, 12, 31)
        )
        assert availability.places_by_day(db.session, NOW, times, POLICY.booking_open(NOW)) == {
            date(2026, 12, 3): availability.DayPlaces(1, 1)
        }
        # The week and table views read the same per slot.
        assert [(item.slot.id, item.available) for item in availability.slot_availability(db.session, NOW, times)] == [
            (slot, 1)
        ]


def test_times_are_shown_in_the_centres_zone(client, app, applicant):
    make_centre(app, "MOW", timezone="Europe/Moscow")
    make_slot(app, centre_code="MOW", starts=local(2026, 12, 3, 9, zone=ZoneInfo("Europe/Moscow")))
    page = soup(client.get("/booking/centres/MOW?exam=theory&category=B&view=table&date=2026-12-03"))
    assert "9:00 AM" in page.select_one("tbody tr").get_text()


def test_hold_confirm_print_and_calendar(client, app, applicant):
    slot = make_slot(app)
    response = hold_in_browser(client, slot)
    assert response.status_code == 302
    booking = only_booking_id(app)
    assert response.headers["Location"] == f"/booking/{booking}"

    page = soup(client.get(f"/booking/{booking}"))
    assert "until 9:15:00 AM" in page.select_one(".hold").get_text()
    assert page.select_one("[data-countdown]")["data-countdown"] == (NOW + POLICY.hold_ttl).isoformat()
    assert "Medical certificate" in page.select_one(".documents").get_text()
    assert "Article 8" in page.select_one("label[for=consent_personal_data]").get_text()

    response = submit_form(
        client, f"/booking/{booking}", {"consent_personal_data": "y", "fee_receipt": "KZ-2026-000123"}
    )
    assert response.status_code == 302
    page = client.get(f"/booking/{booking}")
    assert "ALM-T-20261203-0001" in soup(page).select_one(".ticket").get_text()

    printed = soup(client.get(f"/booking/{booking}/print"))
    assert "ALM-T-20261203-0001" in printed.get_text()
    assert "Driving-school certificate" in printed.get_text()

    ics = client.get(f"/booking/{booking}/calendar.ics")
    assert ics.mimetype == "text/calendar"
    event = icalendar.Calendar.from_ical(ics.data).walk("VEVENT")[0]
    assert "1 Abai Avenue" in str(event["LOCATION"])


def test_confirm_needs_consent_and_receipt(client, app, applicant):
    hold_in_browser(client, make_slot(app))
    booking = only_booking_id(app)
    response = submit_form(client, f"/booking/{booking}", {"fee_receipt": ""})
    assert response.status_code == 422
    errors = soup(response).select_one("#error-summary").get_text()
    assert "consent" in errors
    assert "receipt number" in errors
    with app.app_context():
        assert db.session.get(Booking, booking).status == "held"


def test_confirm_after_expiry_in_browser(client, app, applicant):
    hold_in_browser(client, make_slot(app))
    booking = only_booking_id(app)
    page = client.get(f"/booking/{booking}")
    freeze(NOW + POLICY.hold_ttl + timedelta(seconds=1))
    response = client.post(
        f"/booking/{booking}",
        data={
            "csrf_token": soup(page).select_one("input[name=csrf_token]")["value"],
            "consent_personal_data": "y",
            "fee_receipt": "KZ-2026-000123",
        },
        follow_redirects=True,
    )
    assert "The hold has expired" in flashes(response)
    assert soup(response).select_one(".status").get_text(strip=True) == "Expired"


def test_refusal_names_the_rule(client, app, applicant):
    practical = make_slot(app, exam="practical", capacity=4)
    page = "/booking/centres/ALM?exam=practical&category=B&view=table&date=2026-12-03"
    response = hold_in_browser(client, practical, page)
    assert response.headers["Location"] == page
    assert "only after a passed theory exam" in flashes(client.get(page))


def test_reschedule_and_cancel(client, app, applicant):
    old, new = make_slot(app), make_slot(app, starts=local(2026, 12, 7))
    too_soon = make_slot(app, starts=local(2026, 12, 1, 15))  # within the change cut-off
    booking = book(app, applicant.id, old)
    page = soup(client.get(f"/booking/{booking}/reschedule?date=2026-12-07"))
    assert page.select_one(f"input[name=slot_id][value='{new}']") is not None
    this_week = soup(client.get(f"/booking/{booking}/reschedule"))
    assert this_week.select_one(f"input[name=slot_id][value='{too_soon}']") is None
    assert "Not bookable now" in this_week.select_one("tbody tr").get_text()
    response = submit_form(
        client,
        f"/booking/{booking}/reschedule",
        {"slot_id": new, "confirmed": "yes"},
        page_url=f"/booking/{booking}/reschedule",
    )
    assert response.status_code == 302
    detail = client.get(f"/booking/{booking}")
    assert "ALM-T-20261207-0001" in detail.get_data(as_text=True)
    assert "1 move left" in detail.get_data(as_text=True)

    response = submit_form(client, f"/booking/{booking}/cancel", {"confirmed": "yes"}, page_url=f"/booking/{booking}")
    assert response.status_code == 302
    page = client.get(f"/booking/{booking}")
    assert soup(page).select_one(".status").get_text(strip=True) == "Cancelled"
    history = [th.get_text(strip=True) for th in soup(page).select("table tbody th")]
    assert history == ["Place held", "Booking confirmed", "Moved to this time", "Cancelled"]
    assert "Remove from my calendar" in page.get_data(as_text=True)
    assert icalendar.Calendar.from_ical(client.get(f"/booking/{booking}/calendar.ics").data)["METHOD"] == "CANCEL"


def test_my_bookings_and_waitlist(client, app, applicant, make_user):
    full = make_slot(app, capacity=1)
    book(app, make_user().id, full)
    page = soup(client.get(CENTRE_TABLE))
    assert "Full" in page.select_one("tbody tr").get_text()
    response = submit_form(
        client, f"/booking/slots/{full}/waitlist", {"scope": "day", "next": CENTRE_TABLE}, page_url=CENTRE_TABLE
    )
    assert response.headers["Location"] == "/booking/mine"
    mine = soup(client.get("/booking/mine"))
    assert "Any time on December 3, 2026" in mine.get_text()
    leave = mine.select_one("form[action^='/booking/waitlist/']")["action"]
    assert submit_form(client, leave, {"confirmed": "yes"}, page_url="/booking/mine").status_code == 302
    assert "You are not waiting" in client.get("/booking/mine").get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/booking/slots/{slot}/hold", "post"),
        ("/booking/{booking}/cancel", "post"),
        ("/booking/{booking}/reschedule", "post"),
        ("/booking/{booking}", "post"),
        ("/booking/slots/{slot}/waitlist", "post"),
    ],
)
def test_forms_without_csrf_token_are_refused(client, app, applicant, path, method):
    slot = make_slot(app, capacity=2)
    booking = book(app, applicant.id, slot)
    response = client.post(path.format(slot=slot, booking=booking), data={"slot_id": slot, "scope": "day"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Booking, booking).status == "confirmed"


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/booking/{booking}", "get"),
        ("/booking/{booking}/print", "get"),
        ("/booking/{booking}/calendar.ics", "get"),
        ("/booking/{booking}/reschedule", "get"),
        ("/booking/{booking}/cancel", "post"),
    ],
)
def test_another_users_booking_is_not_found(client, app, auth, make_user, centre, path, method):
    freeze(NOW)
    owner, stranger = make_user(), make_user()
    booking = book(app, owner.id, make_slot(app))
    auth.login(stranger.email)
    if method == "get":
        response = client.get(path.format(booking=booking))
    else:
        response = submit_form(client, path.format(booking=booking), {}, page_url="/booking/mine")
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(Booking, booking).status == "confirmed"


@pytest.mark.parametrize(
    ("language", "held", "exam", "documents"),
    [
        ("kk", "Ұсталған", "Теориялық емтихан", "Медициналық анықтама"),
        ("ru", "Удерживается", "Теоретический экзамен", "Медицинская справка"),
        ("en", "Held", "Theory exam", "Medical certificate"),
    ],
)
def test_booking_in_three_languages(client, app, auth, make_user, centre, language, held, exam, documents):
    freeze(NOW)
    user = make_user(language=language)
    auth.login(user.email)
    slot = make_slot(app)
    hold_in_browser(client, slot)
    page = client.get(f"/booking/{only_booking_id(app)}")
    text = soup(page).get_text()
    assert soup(page).html["lang"] == language
    assert held in text
    assert exam in text
    assert documents in text
    refused = hold_in_browser(client, slot)
    assert refused.status_code == 302
    assert flashes(client.get(CENTRE_TABLE)) != ""
