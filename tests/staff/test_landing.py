"""Where people land after signing in, and the menu of staff and admins."""

import pytest
from bs4 import BeautifulSoup

from app.auth.models import Role


@pytest.mark.parametrize(
    ("role", "landing"),
    [(Role.STAFF, "/staff/centres/ALM/"), (Role.ADMIN, "/admin/"), (Role.USER, "/")],
)
def test_sign_in_lands_on_the_roles_page(client, auth, make_user, centre, role, landing):
    user = make_user(role=role, centre_code=centre if role == Role.STAFF else None)
    response = auth.login(user.email)
    assert response.status_code == 302
    assert response.headers["Location"] == landing
    assert client.get("/account/login").headers["Location"] == landing  # already signed in


def test_an_asked_for_page_still_wins(client, auth, make_user, centre):
    user = make_user(role=Role.STAFF, centre_code=centre)
    response = auth.login(user.email, next="/account/profile")
    assert response.headers["Location"] == "/account/profile"


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN])
def test_staff_and_admin_menus_hold_their_work_only(client, auth, make_user, centre, role):
    user = make_user(role=role, centre_code=centre if role == Role.STAFF else None)
    auth.login(user.email)
    nav = BeautifulSoup(client.get("/account/profile").get_data(as_text=True), "html.parser").select_one("header nav")
    links = [a["href"] for a in nav.find_all("a")]
    assert not {"/exam/", "/questions/"} & set(links)  # the learner's pages are a click from home
    assert len(links) <= 6
