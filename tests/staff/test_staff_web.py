"""Staff and admin pages: every staff route answers 404 for another centre's objects, the exam day
from template to result through the forms, CSV exports, dashboards and the admin pages."""

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from app.auth.models import User
from app.booking.models import Slot
from app.extensions import db
from tests.conftest import submit_form
from tests.staff.conftest import TODAY_2PM
from tests.support.booking_support import freeze, local, make_slot
from tests.support.staff_support import audit_actions, book_before, booking_of, slot_of

ROUTES = [
    ("GET", "/staff/centres/{code}/"),
    ("POST", "/staff/centres/{code}/block-day"),
    ("GET", "/staff/slots/{slot}"),
    ("POST", "/staff/slots/{slot}/capacity"),
    ("POST", "/staff/slots/{slot}/block"),
    ("POST", "/staff/slots/{slot}/no-shows"),
    ("GET", "/staff/slots/{slot}/roster"),
    ("GET", "/staff/slots/{slot}/roster.csv"),
    ("GET", "/staff/bookings/{booking}"),
    ("POST", "/staff/bookings/{booking}/check-in"),
    ("POST", "/staff/bookings/{booking}/result"),
    ("GET", "/staff/centres/{code}/templates"),
    ("GET", "/staff/centres/{code}/templates/new"),
    ("POST", "/staff/centres/{code}/templates/new"),
    ("GET", "/staff/templates/{template}"),
    ("POST", "/staff/templates/{template}"),
    ("POST", "/staff/templates/{template}/delete"),
    ("POST", "/staff/centres/{code}/generate"),
    ("GET", "/staff/centres/{code}/closures"),
    ("POST", "/staff/centres/{code}/closures"),
    ("POST", "/staff/closures/{closure}/delete"),
    ("GET", "/staff/centres/{code}/dashboard"),
    ("GET", "/staff/centres/{code}/bookings.csv"),
    ("GET", "/staff/centres/{code}/check-in"),
    ("POST", "/staff/centres/{code}/check-in"),
]


def url_for_centre(route: str, world, code: str) -> str:
    return route.format(code=code, **world[code])


def call(client, method, url):
    if method == "GET":
        return client.get(url)
    return submit_form(client, url, {"reason": "Closed", "capacity": "1"}, page_url="/staff/")


@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_another_centres_objects_answer_404_for_every_staff_route(client, auth, world, method, route):
    auth.login(world["staff"].email)
    assert call(client, method, url_for_centre(route, world, "AST")).status_code == 404
    if method == "GET":  # the same page of one's own centre opens
        assert client.get(url_for_centre(route, world, "ALM")).status_code == 200


def test_nothing_of_another_centre_changed(app, client, auth, world):
    auth.login(world["staff"].email)
    for method, route in ROUTES:
        if method == "POST":
            call(client, method, url_for_centre(route, world, "AST"))
    assert slot_of(app, world["AST"]["slot"]) == {"capacity": 20, "booked": 1, "blocked": None}
    assert booking_of(app, world["AST"]["booking"])["status"] == "confirmed"
    assert audit_actions(app) == ["template-created", "template-created"]


@pytest.mark.parametrize(("role", "status"), [("user", 403), ("admin", 200)])
def test_applicants_get_403_and_admins_see_every_centre(client, auth, make_user, world, role, status):
    user = world["admin"] if role == "admin" else make_user()
    auth.login(user.email)
    assert client.get("/staff/centres/AST/").status_code == status
    assert client.get(f"/staff/slots/{world['AST']['slot']}").status_code == status


def test_template_preview_then_save_then_publish(app, client, auth, world):
    auth.login(world["staff"].email)
    form = {
        "weekday": "3",
        "exam_type": "practical",
        "categories": ["B", "C"],
        "opens_at": "09:00",
        "closes_at": "12:00",
        "slot_minutes": "90",
        "capacity": "4",
        "valid_from": "2026-12-01",
        "valid_to": "",
    }
    url = "/staff/centres/ALM/templates/new"
    preview = submit_form(client, url, {**form, "preview": "Preview"})
    page = BeautifulSoup(preview.get_data(as_text=True), "html.parser")
    rows = page.select("#preview-title ~ .table-wrap table tbody tr")
    assert [row.th.get_text() for row in rows] == ["Thursday, December 3, 2026", "Thursday, December 10, 2026"]
    assert rows[0].find_all("td")[0].get_text().replace("\u202f", " ") == "9:00 AM, 10:30 AM"
    assert rows[0].find_all("td")[1].get_text() == "B, C"
    assert audit_actions(app) == ["template-created", "template-created"]  # a preview saves nothing

    invalid = submit_form(client, url, {**form, "closes_at": "08:00", "submit": "Save"})
    assert invalid.status_code == 422
    assert "Closing must be after opening." in invalid.get_data(as_text=True)

    saved = submit_form(client, url, {**form, "submit": "Save"})
    assert saved.status_code == 302
    published = submit_form(client, "/staff/centres/ALM/generate", {}, page_url="/staff/centres/ALM/templates")
    assert published.status_code == 302
    with app.app_context():
        practical = db.session.scalars(sa.select(Slot).where(Slot.exam_type == "practical")).all()
        # Thursdays 3, 10, 17, 24 December × 09:00, 10:30 × B, C; Wednesdays from the fixture's template.
        assert len(practical) == 16
        assert {slot.local_starts_at.strftime("%a %H:%M") for slot in practical} == {"Thu 09:00", "Thu 10:30"}
    assert audit_actions(app)[-2:] == ["template-created", "slots-generated"]


def test_capacity_floor_has_a_clear_message(client, auth, world):
    auth.login(world["staff"].email)
    slot = world["ALM"]["slot"]
    response = submit_form(client, f"/staff/slots/{slot}/capacity", {"capacity": "0"}, page_url=f"/staff/slots/{slot}")
    assert response.status_code == 422
    response = submit_form(client, f"/staff/slots/{slot}/capacity", {"capacity": "1"}, page_url=f"/staff/slots/{slot}")
    assert response.status_code == 302  # one booked, one place: fine (the floor is tested in the services)


def test_closure_reason_warns_that_it_is_published(client, auth, world):
    auth.login(world["staff"].email)
    page = BeautifulSoup(client.get("/staff/centres/ALM/closures").data, "html.parser")
    reason = page.find("input", attrs={"name": "reason"})
    hint = page.find(id=reason["aria-describedby"])
    assert "no names or other personal data" in hint.get_text()


def test_exam_day_check_in_and_result_through_the_pages(app, client, auth, world):
    auth.login(world["staff"].email)
    booking = world["ALM"]["booking"]
    page = f"/staff/bookings/{booking}"
    assert "Check-in" in client.get(page).get_data(as_text=True)
    response = submit_form(client, f"{page}/check-in", {"identity": "y", "fee": "y", "school": "y"}, page_url=page)
    assert response.status_code == 302
    assert "Not admitted: Medical certificate missing." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    submit_form(client, f"{page}/check-in", {"identity": "y", "medical": "y", "fee": "y", "school": "y"}, page_url=page)
    assert booking_of(app, booking)["status"] == "attended"

    freeze(TODAY_2PM + timedelta(minutes=45))
    wrong = submit_form(client, f"{page}/result", {"points": "41"}, page_url=page)
    assert wrong.status_code == 422
    done = submit_form(client, f"{page}/result", {"points": "33"}, page_url=page)
    assert done.status_code == 302
    assert booking_of(app, booking)["status"] == "passed"
    assert booking_of(app, booking)["score"] == 33


def test_block_a_slot_through_the_page(app, client, auth, world):
    auth.login(world["staff"].email)
    slot = world["ALM"]["slot"]
    response = submit_form(
        client,
        f"/staff/slots/{slot}/block",
        {"reason": "Power cut", "confirmed": "yes"},
        page_url=f"/staff/slots/{slot}",
    )
    assert response.status_code == 302
    assert "1 booking was cancelled" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert slot_of(app, slot)["blocked"] == "Power cut"


def test_roster_page_and_csv_mask_the_iin(app, client, auth, world):
    auth.login(world["staff"].email)
    slot = world["ALM"]["slot"]
    with app.app_context():
        iin = db.session.scalar(sa.select(User.iin).where(User.full_name == "=HYPERLINK(1)"))
    html = client.get(f"/staff/slots/{slot}/roster").get_data(as_text=True)
    assert iin not in html
    assert f"{iin[:4]}******{iin[-2:]}" in html
    response = client.get(f"/staff/slots/{slot}/roster.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows == [
        [
            "Ticket",
            "Full name",
            "IIN",
            "Status",
            "Checked in at",
            "Missing documents",
            "Right answers",
            "Penalty points",
        ],
        ["ALM-T-20261201-0001", "'=HYPERLINK(1)", f"{iin[:4]}******{iin[-2:]}", "Confirmed", "", "", "", ""],
    ]


def test_bookings_csv_over_a_date_range(app, client, auth, world, make_user):
    auth.login(world["staff"].email)
    later = make_slot(app, starts=local(2026, 12, 20))
    book_before(app, make_user(full_name="Later Person").id, later)
    response = client.get("/staff/centres/ALM/bookings.csv?first_day=2026-12-01&last_day=2026-12-10")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(row["Ticket"], row["Status"], row["Exam starts"]) for row in rows] == [
        ("ALM-T-20261201-0001", "Confirmed", "2026-12-01T14:00+05:00")
    ]
    everything = client.get("/staff/centres/ALM/bookings.csv?first_day=2026-12-01&last_day=2026-12-31")
    assert len(list(csv.DictReader(io.StringIO(everything.get_data(as_text=True).lstrip("\ufeff"))))) == 2


def test_dashboards_show_the_figures(client, auth, world):
    auth.login(world["staff"].email)
    html = client.get("/staff/centres/ALM/dashboard?first_day=2026-12-01&last_day=2026-12-01").get_data(as_text=True)
    page = BeautifulSoup(html, "html.parser")
    figures = {
        dt.get_text(): dd.get_text()
        for dt, dd in zip(page.select(".figures dt"), page.select(".figures dd"), strict=True)
    }
    assert figures["Places used"] == "5% (1 of 20)"  # CLDR: en writes 5%, ru 5 %
    assert page.select_one("svg rect.chart-bar") is not None
    auth.logout()
    auth.login(world["admin"].email)
    html = client.get("/admin/dashboard?first_day=2026-12-01&last_day=2026-12-01").get_data(as_text=True)
    page = BeautifulSoup(html, "html.parser")
    assert [row.th.a.get_text() for row in page.select(".table-wrap:last-of-type table tbody tr")] == ["ALM", "AST"]
    assert "5% (2 of 40)" in html


def test_admin_manages_centres_and_staff_accounts(app, client, auth, world):
    auth.login(world["admin"].email)
    centre = {
        "code": "shy",
        **{
            f"{f}_{lang}": f"{f} {lang}"
            for f in ("name", "city", "address", "opening_hours")
            for lang in ("kk", "ru", "en")
        },
        "timezone": "Asia/Almaty",
    }
    assert submit_form(client, "/admin/centres", centre).status_code == 302
    assert submit_form(client, "/admin/centres", centre).status_code == 422  # the code is taken
    edited = submit_form(client, "/admin/centres/SHY", {**centre, "name_en": "Shymkent centre"})
    assert edited.status_code == 302
    assert "Shymkent centre" in client.get("/admin/centres").get_data(as_text=True)

    from datetime import date

    from app.auth.iin import make_iin

    account = {
        "email": "new.staff@example.kz",
        "full_name": "New Staff",
        "iin": make_iin(date(1990, 5, 5), "female", 77),
        "centre": "SHY",
        "password": "examiner-2026",
    }
    assert submit_form(client, "/admin/staff", account).status_code == 302
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "new.staff@example.kz"))
        assert (user.role, user.centre.code, user.active) == ("staff", "SHY", True)
        user_id = user.id
    assert (
        submit_form(
            client, f"/admin/staff/{user_id}/active", {"active": "0", "confirmed": "yes"}, page_url="/admin/staff"
        ).status_code
        == 302
    )
    with app.app_context():
        assert db.session.get(User, user_id).active is False
    log = client.get("/admin/audit").get_data(as_text=True)
    assert "Staff account deactivated" in log
    assert "Centre saved" in log
    assert audit_actions(app)[-4:] == ["centre-saved", "centre-saved", "staff-created", "staff-deactivated"]
    filtered = client.get("/admin/audit?action=staff-created").get_data(as_text=True)
    assert "Staff account created" in filtered
    assert "Centre saved</td>" not in filtered


@pytest.mark.parametrize("url", ["/admin/centres", "/admin/staff", "/admin/audit", "/admin/dashboard"])
def test_admin_pages_are_for_admins(client, auth, world, url):
    auth.login(world["staff"].email)
    assert client.get(url).status_code == 403


def test_slots_generate_command(app, runner, world):
    result = runner.invoke(args=["slots", "generate", "--days", "14"])
    assert result.exit_code == 0, result.output
    # Wednesdays 2 and 9 December × 2 times × 2 categories × 2 centres.
    assert "16 slots added over the next 14 days" in result.output
    assert "0 slots added" in runner.invoke(args=["slots", "generate", "--days", "14"]).output
    assert runner.invoke(args=["slots", "generate", "--centre", "XXX"]).exit_code != 0


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_every_staff_and_admin_page_renders_in_each_language(app, client, auth, world, language):
    with app.app_context():
        db.session.get(User, world["admin"].id).language = language
        db.session.commit()
    auth.login(world["admin"].email)
    pages = [url_for_centre(route, world, "ALM") for method, route in ROUTES if method == "GET"]
    pages += ["/admin/", "/admin/centres", "/admin/centres/ALM", "/admin/staff", "/admin/audit", "/admin/dashboard"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
    html = client.get("/staff/centres/ALM/dashboard").get_data(as_text=True)
    assert {"kk": "Көрсеткіштер", "ru": "Показатели", "en": "Dashboard"}[language] in html
