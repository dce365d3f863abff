"""Who may open which page: anonymous people sign in first, other roles get 403."""

import pytest
from bs4 import BeautifulSoup

from app.auth.models import Role

ROUTES = ["/", "/account/profile", "/account/password", "/staff/", "/admin/"]
# route -> expected status for (anonymous, user, staff, admin); 302 = sent to sign in
MATRIX = {
    "/": (200, 200, 200, 200),
    "/account/profile": (302, 200, 200, 200),
    "/account/password": (302, 200, 200, 200),
    "/staff/": (302, 403, 200, 403),
    "/admin/": (302, 403, 403, 200),
}
ROLES = ["anonymous", "user", "staff", "admin"]


@pytest.fixture
def signed_in_as(client, auth, make_user, centre):
    def sign_in(role: str):
        if role == "anonymous":
            return
        user = make_user(role=Role(role), centre_code=centre if role == "staff" else None)
        assert auth.login(user.email).status_code == 302

    return sign_in


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(client, signed_in_as, route, role):
    signed_in_as(role)
    response = client.get(route)
    assert response.status_code == MATRIX[route][ROLES.index(role)]
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/account/login?next=")


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        ("anonymous", {"/account/login", "/account/register"}, {"/staff/", "/admin/", "/account/profile"}),
        ("user", {"/account/profile"}, {"/staff/", "/admin/", "/account/login"}),
        ("staff", {"/staff/", "/account/profile"}, {"/admin/"}),
        ("admin", {"/admin/", "/account/profile"}, {"/staff/"}),
    ],
)
def test_navigation_shows_what_the_role_may_use(client, signed_in_as, role, visible, hidden):
    signed_in_as(role)
    nav = BeautifulSoup(client.get("/").get_data(as_text=True), "html.parser").select_one("header nav")
    links = {a["href"] for a in nav.find_all("a")}
    assert visible <= links
    assert not hidden & links


@pytest.mark.parametrize(
    ("role", "route"), [("anonymous", "/account/login"), ("user", "/account/profile"), ("admin", "/admin/")]
)
def test_navigation_marks_the_page_being_shown(client, signed_in_as, role, route):
    signed_in_as(role)
    nav = BeautifulSoup(client.get(route).get_data(as_text=True), "html.parser").select_one("header nav")
    assert [a["href"] for a in nav.select('a[aria-current="page"]')] == [route]


def test_staff_page_shows_own_centre(client, signed_in_as):
    signed_in_as("staff")
    assert "ALM centre" in client.get("/staff/").get_data(as_text=True)


def test_admin_page_lists_accounts_and_centres(client, signed_in_as):
    signed_in_as("admin")
    html = client.get("/admin/").get_data(as_text=True)
    assert "ALM centre" in html
    assert "user1@example.kz" in html


@pytest.mark.parametrize(
    "route", ["/admin/", "/admin/dashboard", "/admin/centres", "/admin/staff", "/admin/audit", "/admin/jobs"]
)
def test_every_admin_page_has_the_one_admin_menu(client, signed_in_as, route):
    signed_in_as("admin")
    page = BeautifulSoup(client.get(route).get_data(as_text=True), "html.parser")
    (menu,) = page.select("main nav.subnav")
    assert {a["href"] for a in menu.find_all("a")} >= {"/admin/", "/admin/jobs", "/admin/centres"}
    assert [a["href"] for a in menu.select('a[aria-current="page"]')] == [route]
