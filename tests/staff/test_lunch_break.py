"""A centre's lunch break: set by admins on the centre's page (checked against its weekly templates), and
never an exam time in it when slots are generated."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from app.booking.models import Slot
from app.centres.services import find_centre
from app.extensions import db
from app.staff import rules, schedule
from tests.conftest import submit_form
from tests.staff.test_staff_rules import template

ALMATY = ZoneInfo("Asia/Almaty")
EDIT = "/admin/centres/ALM"


@pytest.mark.parametrize(
    ("minutes", "lunch", "expected"),
    [
        (60, (time(13), time(14)), ["09:00", "10:00", "11:00", "12:00", "14:00", "15:00", "16:00"]),
        (60, None, ["09:00", "10:00", "11:00", "12:00", "13:00", "14:00", "15:00", "16:00"]),
        # A time that would run into the break, or start in it, is left out; the rhythm stays.
        (45, (time(13), time(14)), ["09:00", "09:45", "10:30", "11:15", "12:00", "14:15", "15:00", "15:45"]),
        (60, (time(12, 30), time(13)), ["09:00", "10:00", "11:00", "13:00", "14:00", "15:00", "16:00"]),
    ],
)
def test_generation_leaves_out_the_lunch_break(minutes, lunch, expected):
    day = template(weekday=0, opens=time(9), closes=time(17), minutes=minutes)
    planned = rules.plan_slots([day], ALMATY, date(2026, 12, 7), 1, lunch=lunch)
    assert [f"{p.starts_at.astimezone(ALMATY):%H:%M}" for p in planned] == expected


def centre_form(client) -> dict:
    """The centre page's fields as the browser would send them."""
    page = BeautifulSoup(client.get(EDIT).get_data(as_text=True), "html.parser")
    values = {field["name"]: field.get("value", "") for field in page.select("form input[name]")}
    values.update({select["name"]: select.select_one("option[selected]")["value"] for select in page.select("select")})
    values.pop("csrf_token")
    return values


def lunch_of(app):
    with app.app_context():
        return find_centre(db.session, "ALM").lunch_break


def test_admin_sets_the_lunch_break_and_generation_keeps_out_of_it(app, client, auth, world):
    # ALM's template: Wednesdays, hourly from 09:00 to 11:00.
    auth.login(world["admin"].email)
    assert lunch_of(app) is None
    response = submit_form(client, EDIT, {**centre_form(client), "lunch_starts_at": "10:00", "lunch_ends_at": "10:30"})
    assert response.status_code == 302
    assert lunch_of(app) == (time(10), time(10, 30))
    page = BeautifulSoup(client.get(EDIT).get_data(as_text=True), "html.parser")
    assert page.select_one("#lunch_starts_at")["value"] == "10:00"  # shown again for editing
    with app.app_context():
        schedule.generate_slots(db.session, datetime(2026, 12, 1, 4, tzinfo=UTC), 14)
        centre = find_centre(db.session, "ALM")
        starts = db.session.scalars(
            sa.select(Slot.starts_at).where(Slot.centre_id == centre.id, Slot.template_id.is_not(None))
        ).all()
    assert starts
    assert {f"{moment.astimezone(ALMATY):%H:%M}" for moment in starts} == {"09:00"}

    # Both empty: no break any more.
    assert (
        submit_form(client, EDIT, {**centre_form(client), "lunch_starts_at": "", "lunch_ends_at": ""}).status_code
        == 302
    )
    assert lunch_of(app) is None


@pytest.mark.parametrize(
    ("starts", "ends", "field", "message"),
    [
        ("10:30", "10:00", "lunch_ends_at", "The lunch break must end after it starts."),
        ("10:00", "10:00", "lunch_ends_at", "The lunch break must end after it starts."),
        ("12:00", "13:00", "lunch_starts_at", "within the centre's opening hours, 9:00\u202fAM–11:00\u202fAM"),
        ("08:30", "09:30", "lunch_starts_at", "within the centre's opening hours"),
        ("10:00", "", "lunch_ends_at", "Give both the start and the end of the lunch break, or neither."),
        ("25:00", "10:00", "lunch_starts_at", "Not a valid time value."),
    ],
)
def test_a_wrong_lunch_break_is_refused_with_the_form_shown_again(
    app, client, auth, world, starts, ends, field, message
):
    auth.login(world["admin"].email)
    response = submit_form(client, EDIT, {**centre_form(client), "lunch_starts_at": starts, "lunch_ends_at": ends})
    assert response.status_code == 422
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert message in page.select_one("#error-summary").get_text()
    assert page.select_one(f"#{field}")["aria-invalid"] == "true"
    assert page.select_one("#lunch_starts_at")["value"] == starts  # what was typed stays
    assert lunch_of(app) is None


def test_staff_see_the_lunch_break_beside_their_templates(app, client, auth, world):
    auth.login(world["staff"].email)
    assert (
        BeautifulSoup(client.get("/staff/centres/ALM/templates").get_data(as_text=True), "html.parser").select(
            ".lunch-break"
        )
        == []
    )
    with app.app_context():
        centre = find_centre(db.session, "ALM")
        centre.lunch_starts_at, centre.lunch_ends_at = time(13), time(14)
        db.session.commit()
    page = BeautifulSoup(client.get("/staff/centres/ALM/templates").get_data(as_text=True), "html.parser")
    assert "Lunch break 1:00\u202fPM–2:00\u202fPM" in page.select_one(".lunch-break").get_text()
