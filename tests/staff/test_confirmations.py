"""Every destructive staff and admin action asks first: the first POST shows what will happen (how
many bookings are cancelled and notified) on a danger-styled page and changes nothing; the POST of
that page (the same fields and `confirmed=yes`) acts."""

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from app.auth.models import Role, User
from app.booking.models import Slot
from app.extensions import db
from app.staff.models import CentreClosure, SlotTemplate
from tests.conftest import submit_form
from tests.staff.conftest import TODAY_2PM
from tests.support.booking_support import freeze
from tests.support.staff_support import audit_actions, booking_of, slot_of


def ask_then_confirm(client, url, data, page_url):
    """The first POST's page (asserted to be a confirmation) and the answer to confirming it."""
    first = submit_form(client, url, data, page_url=page_url)
    assert first.status_code == 200
    page = BeautifulSoup(first.get_data(as_text=True), "html.parser")
    box = page.select_one(".confirm-box")
    form = box.select_one("form")
    assert form["action"] == url
    assert box.select_one("button.button--danger")
    fields = {field["name"]: field["value"] for field in form.select("input[type=hidden]")}
    assert fields.pop("confirmed") == "yes"
    fields.pop("csrf_token")
    assert fields == data  # the confirming POST sends what was asked for
    consequences = [item.get_text(" ", strip=True) for item in box.select(".consequences li")]
    return consequences, (lambda: client.post(url, data={**data, "confirmed": "yes", "csrf_token": _token(page)}))


def _token(page):
    return page.select_one("input[name=csrf_token]")["value"]


def test_blocking_a_time_says_how_many_are_cancelled_first(app, client, auth, world):
    auth.login(world["staff"].email)
    slot = world["ALM"]["slot"]
    url = f"/staff/slots/{slot}/block"
    consequences, confirm = ask_then_confirm(client, url, {"reason": "Power cut"}, f"/staff/slots/{slot}")
    assert consequences[1] == ("1 booking will be cancelled; its applicant is notified and may rebook with priority.")
    assert "Power cut" in consequences[2]
    assert slot_of(app, slot)["blocked"] is None  # nothing happened yet
    assert booking_of(app, world["ALM"]["booking"])["status"] == "confirmed"
    assert confirm().status_code == 302
    assert slot_of(app, slot)["blocked"] == "Power cut"
    assert booking_of(app, world["ALM"]["booking"])["status"] == "cancelled"


def test_blocking_a_day_counts_its_times_and_bookings(app, client, auth, world):
    auth.login(world["staff"].email)
    url = "/staff/centres/ALM/block-day?date=2026-12-01"
    consequences, confirm = ask_then_confirm(client, url, {"reason": "Flooding"}, "/staff/centres/ALM/")
    assert consequences[:2] == [
        "1 exam time of this day will be closed to booking.",
        "1 booking will be cancelled; its applicant is notified and may rebook with priority.",
    ]
    assert slot_of(app, world["ALM"]["slot"])["blocked"] is None
    assert confirm().status_code == 302
    assert slot_of(app, world["ALM"]["slot"])["blocked"] == "Flooding"


def test_deleting_a_template_and_a_closure_ask_first(app, client, auth, world):
    auth.login(world["staff"].email)
    template, closure = world["ALM"]["template"], world["ALM"]["closure"]
    consequences, confirm = ask_then_confirm(
        client, f"/staff/templates/{template}/delete", {}, "/staff/centres/ALM/templates"
    )
    assert "nobody is cancelled or notified" in consequences[1]
    with app.app_context():
        assert db.session.get(SlotTemplate, template) is not None
    assert confirm().status_code == 302
    with app.app_context():
        assert db.session.get(SlotTemplate, template) is None

    consequences, confirm = ask_then_confirm(
        client, f"/staff/closures/{closure}/delete", {}, "/staff/centres/ALM/closures"
    )
    assert "no booking is cancelled or notified" in consequences[1]
    with app.app_context():
        assert db.session.get(CentreClosure, closure) is not None
    confirm()
    with app.app_context():
        assert db.session.get(CentreClosure, closure) is None
    assert audit_actions(app)[-2:] == ["template-deleted", "closure-deleted"]


def test_marking_no_shows_asks_first(app, client, auth, world):
    auth.login(world["staff"].email)
    slot = world["ALM"]["slot"]
    freeze(TODAY_2PM.replace(hour=16))  # the 14:00 exam is over
    consequences, confirm = ask_then_confirm(client, f"/staff/slots/{slot}/no-shows", {}, f"/staff/slots/{slot}")
    assert consequences[0] == "1 applicant not checked in will be recorded as did not come."
    assert booking_of(app, world["ALM"]["booking"])["status"] == "confirmed"
    confirm()
    assert booking_of(app, world["ALM"]["booking"])["status"] == "no-show"


def test_deactivating_staff_asks_first_reactivating_does_not(app, client, auth, world):
    auth.login(world["admin"].email)
    staff = world["staff"]
    url = f"/admin/staff/{staff.id}/active"
    consequences, confirm = ask_then_confirm(client, url, {"active": "0"}, "/admin/staff")
    assert f"{staff.email} can no longer sign in" in consequences[0]
    with app.app_context():
        assert db.session.get(User, staff.id).active is True
    confirm()
    with app.app_context():
        assert db.session.get(User, staff.id).active is False
    assert submit_form(client, url, {"active": "1"}, page_url="/admin/staff").status_code == 302
    with app.app_context():
        assert db.session.get(User, staff.id).active is True


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_the_confirmation_speaks_the_staffs_language(app, client, auth, make_user, world, language):
    person = make_user(role=Role.STAFF, centre_code="ALM", language=language)
    auth.login(person.email)
    slot = world["ALM"]["slot"]
    page = submit_form(client, f"/staff/slots/{slot}/block", {"reason": "Свет"}, page_url=f"/staff/slots/{slot}")
    text = BeautifulSoup(page.get_data(as_text=True), "html.parser").select_one(".consequences").get_text()
    assert "1" in text
    assert "booking" not in text
    with app.app_context():
        assert db.session.scalar(sa.select(Slot.blocked_at).where(Slot.id == slot)) is None
