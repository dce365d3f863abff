"""Admins look a person up by e-mail, full IIN or ticket, see their bookings, waitlists, appeals and
messages with the IIN masked, and every look is in the audit log (without the IIN)."""

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from app.admin.people import FoundBy, kind_of
from app.audit.models import AuditEntry
from app.auth.models import Role
from app.extensions import db
from tests.conftest import submit_form
from tests.support.booking_support import booking_state, make_slot
from tests.support.staff_support import book_before


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("A@B.kz", FoundBy.EMAIL),
        ("950102300012", FoundBy.IIN),
        ("alm-t-20261201-0001", FoundBy.TICKET),
        ("9501023", None),  # part of an IIN: no browsing people by fragments
        ("Aliya", None),
    ],
)
def test_what_a_query_is(query, kind):
    assert kind_of(query) == kind


@pytest.fixture
def person(app, make_user, centre):
    applicant = make_user(full_name="Aliya Nurlan", email="aliya@example.kz")
    booking = book_before(app, applicant.id, make_slot(app))
    return applicant, booking_state(app, booking)["ticket"]


def look_up(client, query):
    return submit_form(client, "/admin/people", {"query": query}, page_url="/admin/people")


@pytest.mark.parametrize("how", ["email", "iin", "ticket"])
def test_find_a_person_and_see_their_file(app, client, auth, make_user, person, how):
    applicant, ticket = person
    admin = make_user(role=Role.ADMIN)
    auth.login(admin.email)
    query = {"email": "ALIYA@example.kz", "iin": applicant.iin, "ticket": ticket.lower()}[how]
    found = look_up(client, query)
    assert found.status_code == 302
    assert applicant.iin not in found.headers["Location"]  # no IIN in addresses or server logs
    response = client.get(found.headers["Location"])
    assert "no-store" in response.headers["Cache-Control"]
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    text = page.get_text()
    assert "Aliya Nurlan" in text
    assert applicant.iin not in text  # masked
    assert f"{applicant.iin[:4]}******{applicant.iin[-2:]}" in text
    assert ticket in page.select_one("[aria-labelledby=bookings-title]").get_text()
    assert "Confirmed" in page.select_one("[aria-labelledby=bookings-title]").get_text()
    assert page.select_one("[aria-labelledby=messages-title]")  # the confirmation message
    assert "Learner and applicant" in text  # the role by name
    with app.app_context():
        entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert (entry.action, entry.actor_id, entry.target) == ("person-viewed", admin.id, f"user:{applicant.id}")
        assert entry.details == {"found_by": how}
        assert applicant.iin not in str(entry.details)


def test_every_look_is_logged_and_misses_say_why(app, client, auth, make_user, person):
    applicant, _ticket = person
    auth.login(make_user(role=Role.ADMIN).email)
    client.get(f"/admin/people/{applicant.id}")
    client.get(f"/admin/people/{applicant.id}")
    with app.app_context():
        looks = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.action == "person-viewed")).all()
    assert len(looks) == 2
    nobody = look_up(client, "nobody@example.kz")
    assert nobody.status_code == 404
    assert "Nobody has this e-mail, IIN or ticket." in nobody.get_data(as_text=True)
    vague = look_up(client, applicant.iin[:6])
    assert vague.status_code == 422
    assert client.get("/admin/people/999999").status_code == 404


def test_staff_and_applicants_cannot_look_people_up(client, auth, make_user, person, centre):
    applicant, _ticket = person
    auth.login(make_user(role=Role.STAFF, centre_code=centre).email)
    assert client.get(f"/admin/people/{applicant.id}").status_code == 403
    assert client.get("/admin/people").status_code == 403


def test_admin_pages_share_one_menu_with_the_look_up(client, auth, make_user):
    auth.login(make_user(role=Role.ADMIN).email)
    for route in ("/admin/", "/admin/people", "/admin/jobs", "/admin/audit", "/admin/dashboard", "/admin/staff"):
        page = BeautifulSoup(client.get(route).get_data(as_text=True), "html.parser")
        menus = page.select("main nav.subnav")
        assert len(menus) == 1, route
        assert "/admin/people" in [a["href"] for a in menus[0].select("a")]


def test_outbox_statuses_by_name_on_the_jobs_page(client, auth, make_user):
    auth.login(make_user(role=Role.ADMIN).email)
    html = client.get("/admin/jobs").get_data(as_text=True)
    assert "Waiting to be sent" in html
    assert "<dt>pending</dt>" not in html
