"""Registration, sign-in, sign-out, profile and password pages."""

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from app.auth.models import User
from app.extensions import db
from config import Config, ProductionConfig
from tests.conftest import PASSWORD, csrf_token_from, submit_form
from tests.support.mail import confirm_registration

GOOD = {
    "email": "Aigerim@Example.kz",
    "full_name": "Айгерім Сәрсенова",
    "iin": "900101300017",
    "phone": "8 (701) 234-56-78",
    "language": "kk",
    "password": "steppe-road-2026",
    "password_confirm": "steppe-road-2026",
}


def count_users(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def errors_on(html: str) -> dict[str, str]:
    soup = BeautifulSoup(html, "html.parser")
    return {p["id"].removesuffix("-error"): p.get_text(" ", strip=True) for p in soup.select("p.error")}


def test_register_creates_account_and_signs_in(client, app):
    response = submit_form(client, "/account/register", GOOD)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/register/sent")
    assert count_users(app) == 0  # not before the address is confirmed
    confirmed = confirm_registration(client, app, GOOD["email"])
    assert confirmed.status_code == 302
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert user.email == "aigerim@example.kz"
        assert user.phone == "+77012345678"
        assert user.language == "kk"
        assert user.role == "user"
        assert user.password_hash != GOOD["password"]
        assert user.password_hash.startswith("pbkdf2:sha256:1$")
    page = client.get("/account/profile")
    assert page.status_code == 200
    assert "aigerim@example.kz" in page.get_data(as_text=True)


def test_outside_the_tests_passwords_are_hashed_with_scrypt(app, app_factory):
    """The suite hashes with one round of PBKDF2 for speed (TestingConfig); every other setting keeps
    the class default, which must stay the real thing."""
    assert ProductionConfig.PASSWORD_HASH_METHOD == Config.PASSWORD_HASH_METHOD
    real = app_factory(PASSWORD_HASH_METHOD=Config.PASSWORD_HASH_METHOD)
    client = real.test_client()
    assert submit_form(client, "/account/register", GOOD).status_code == 302
    assert confirm_registration(client, real, GOOD["email"]).status_code == 302
    with real.app_context():
        assert db.session.scalar(sa.select(User.password_hash)).startswith("scrypt:32768:8:1$")
    submit_form(client, "/account/logout", {}, page_url="/")
    signed_in = submit_form(client, "/account/login", {"email": GOOD["email"], "password": GOOD["password"]})
    assert signed_in.status_code == 302


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"iin": "900101300018"}, "iin", "check digit"),
        ({"iin": "12345"}, "iin", "12 digits"),
        ({"password": "short1", "password_confirm": "short1"}, "password", "at least 10"),
        ({"password": "onlyletterslong", "password_confirm": "onlyletterslong"}, "password", "letters and digits"),
        ({"password": "password123", "password_confirm": "password123"}, "password", "too common"),
        ({"password_confirm": "something-else-1"}, "password_confirm", "do not match"),
        ({"email": "not-an-email"}, "email", "valid e-mail"),
        ({"phone": "12345"}, "phone", "phone number"),
        ({"full_name": "A"}, "full_name", "full name"),
    ],
)
def test_register_rejects_bad_input_and_keeps_it(client, app, changes, field, fragment):
    response = submit_form(client, "/account/register", {**GOOD, "language": "en", **changes})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert fragment in errors_on(html)[field]
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one(f"#error-summary a[href='#{field}']") is not None
    assert soup.select_one(f"#{field}")["aria-invalid"] == "true"
    # What was typed is kept (except passwords).
    assert soup.select_one("#full_name")["value"] == changes.get("full_name", GOOD["full_name"])
    assert count_users(app) == 0


def test_register_shows_every_problem_at_once(client, app, make_user):
    make_user(email="aigerim@example.kz")
    wrong = {"full_name": "", "iin": "900101300018", "password": "short1", "password_confirm": "short1"}
    response = submit_form(client, "/account/register", {**GOOD, "language": "en", **wrong})
    assert response.status_code == 422
    errors = errors_on(response.get_data(as_text=True))
    # The taken e-mail is not named: that answer comes only once the rest is right (see below).
    assert set(errors) == {"full_name", "iin", "password"}
    assert "required" in errors["full_name"]  # the form's own check, not repeated by the account's rules
    assert "check digit" in errors["iin"]
    assert "10 characters" in errors["password"]
    assert count_users(app) == 1


def test_register_with_a_taken_iin_answers_as_for_a_new_one(client, app, make_user):
    """The full comparison (new, taken IIN, taken e-mail; HTML and API) is tests/auth/test_registration.py."""
    existing = make_user(email="aigerim@example.kz")
    response = submit_form(client, "/account/register", {**GOOD, "email": "new@example.kz", "iin": existing.iin})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/register/sent")
    assert count_users(app) == 1


def test_register_without_csrf_token_is_refused(client, app):
    response = client.post("/account/register", data=GOOD)
    assert response.status_code == 400
    assert count_users(app) == 0


def test_login_and_logout(client, auth, make_user):
    user = make_user()
    assert client.get("/account/profile").status_code == 302
    response = auth.login(user.email.upper())
    assert response.status_code == 302
    assert client.get("/account/profile").status_code == 200
    assert auth.logout().status_code == 302
    assert client.get("/account/profile").status_code == 302


def test_wrong_password_is_refused_with_a_message(client, auth, make_user):
    user = make_user()
    response = auth.login(
        user.email,
        "wrong-password-1",
    )
    assert response.status_code == 401
    assert "Wrong e-mail or password" in response.get_data(as_text=True)
    assert client.get("/account/profile").status_code == 302


def test_remember_me_sets_a_lasting_cookie(client, auth, make_user):
    user = make_user()
    response = auth.login(user.email, remember="y")
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert remember
    assert "HttpOnly" in remember[0]
    assert "Expires=" in remember[0]


def test_login_is_rate_limited(client, app):
    # Per client address, whichever accounts are tried.
    page = client.get("/account/login")
    token = csrf_token_from(page.get_data(as_text=True))
    statuses = [
        client.post(
            "/account/login", data={"csrf_token": token, "email": f"x{n}@example.kz", "password": "nope-nope-1"}
        ).status_code
        for n in range(11)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
    assert "Too many attempts" in client.post("/account/login", data={"csrf_token": token}).get_data(as_text=True)


def test_rate_limit_can_be_switched_off(app, app_factory):
    client = app_factory(RATELIMIT_ENABLED=False).test_client()
    token = csrf_token_from(client.get("/account/login").get_data(as_text=True))
    form = {"csrf_token": token, "email": "x@example.kz", "password": "p"}
    statuses = {client.post("/account/login", data=form).status_code for _ in range(12)}
    assert statuses == {401}


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/account/profile", "/account/profile"),
        ("https://evil.example/steal", "/"),
        ("//evil.example/steal", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ],
)
def test_login_redirects_only_within_the_site(client, make_user, next_url, expected):
    user = make_user()
    page = client.get("/account/login", query_string={"next": next_url})
    response = client.post(
        "/account/login",
        data={
            "csrf_token": csrf_token_from(page.get_data(as_text=True)),
            "email": user.email,
            "password": PASSWORD,
            "next": next_url,
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_protected_page_sends_to_login_and_back(client, auth, make_user):
    user = make_user()
    response = client.get("/account/password")
    assert response.status_code == 302
    assert "/account/login?next=%2Faccount%2Fpassword" in response.headers["Location"]
    page = client.get(response.headers["Location"])
    response = client.post(
        "/account/login",
        data={
            "csrf_token": csrf_token_from(page.get_data(as_text=True)),
            "email": user.email,
            "password": PASSWORD,
            "next": "/account/password",
        },
    )
    assert response.headers["Location"] == "/account/password"


def test_profile_edit(client, app, auth, make_user):
    user = make_user()
    auth.login(user.email)
    response = submit_form(
        client,
        "/account/profile",
        {"full_name": "  Ерлан   Жақсыбеков ", "phone": "+7 777 000 11 22", "language": "ru"},
    )
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(User, user.id)
        assert (saved.full_name, saved.phone, saved.language) == ("Ерлан Жақсыбеков", "+77770001122", "ru")
    response = submit_form(client, "/account/profile", {"full_name": "Ерлан", "phone": "abc", "language": "ru"})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.get(User, user.id).phone == "+77770001122"


def test_password_change(client, app, auth, make_user):
    user = make_user()
    auth.login(user.email)
    wrong = submit_form(
        client,
        "/account/password",
        {"current_password": "not-mine-123", "new_password": "new-secret-99", "new_password_confirm": "new-secret-99"},
    )
    assert wrong.status_code == 422
    weak = submit_form(
        client,
        "/account/password",
        {"current_password": PASSWORD, "new_password": "short", "new_password_confirm": "short"},
    )
    assert weak.status_code == 422
    ok = submit_form(
        client,
        "/account/password",
        {"current_password": PASSWORD, "new_password": "new-secret-99", "new_password_confirm": "new-secret-99"},
    )
    assert ok.status_code == 302
    auth.logout()
    assert auth.login(user.email).status_code == 401
    assert auth.login(user.email, "new-secret-99").status_code == 302


def test_session_cookie_flags(client, auth, make_user):
    user = make_user()
    response = auth.login(user.email)
    session_cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in session_cookie
    assert "SameSite=Lax" in session_cookie
