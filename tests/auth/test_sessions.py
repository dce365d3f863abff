"""Sessions that end when they should (security issue #26, point 2).

A saved `session` or `remember_token` cookie no longer signs anybody in after a sign-out, a sign-out
everywhere, a password change, a password reset or a deactivation; pages with a full IIN are not
stored; staff see the IIN masked unless they ask (audited); reset links are opaque, used once and
kept out of the access log."""

from __future__ import annotations

import logging
import re

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.auth import sessions
from app.auth.iin import mask_iin
from app.auth.models import PasswordReset, Role, User, UserSession
from app.core import clock
from app.extensions import db
from app.notify.models import OutboxMessage
from app.ops.logs import JsonFormatter
from tests.conftest import PASSWORD, csrf_token_from, submit_form
from tests.support.hardening_support import seed_world
from tests.support.session_support import sign_in_client

NEW_PASSWORD = "brand-new-pass-7"
COOKIES = ("session", "remember_token")


def browser(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def sign_in(app, email: str, password: str = PASSWORD):
    """A browser signed in with "remember me"."""
    client = browser(app)
    response = submit_form(client, "/account/login", {"email": email, "password": password, "remember": "y"})
    assert response.status_code == 302
    return client


def saved(client) -> dict[str, str]:
    """The browser's cookies, as a thief would copy them."""
    return {name: client.get_cookie(name).value for name in COOKIES}


def signed_in_with(app, cookies: dict[str, str]) -> bool:
    """Whether a fresh browser holding only these cookies is signed in."""
    client = browser(app)
    for name, value in cookies.items():
        client.set_cookie(name, value)
    return signed_in(client)


def signed_in(client) -> bool:
    response = client.get("/account/profile")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def sign_out(app, client, user) -> None:
    submit_form(client, "/account/logout", {}, page_url="/")


def sign_out_everywhere(app, client, user) -> None:
    response = submit_form(client, "/account/sessions/end-all", {}, page_url="/account/profile")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "You are signed out on every device." in client.get("/").get_data(as_text=True)


def change_password(app, client, user) -> None:
    response = submit_form(
        client,
        "/account/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302


def reset_link(app) -> str:
    with app.app_context():
        payload = db.session.scalar(
            sa.select(OutboxMessage.payload)
            .where(OutboxMessage.kind == "password-reset")
            .order_by(OutboxMessage.id.desc())
        )
    return re.sub(r"^https?://[^/]+", "", payload["url"])


def reset_password(app, client, user) -> None:
    stranger = browser(app)
    submit_form(stranger, "/account/reset", {"email": user.email})
    link = reset_link(app)
    done = submit_form(stranger, link, {"new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/account/login")


def deactivate(app, client, user) -> None:
    admin = sign_in(app, "admin@example.kz")
    response = submit_form(
        admin, f"/admin/staff/{user.id}/active", {"active": "0", "confirmed": "yes"}, page_url="/admin/staff"
    )
    assert response.status_code == 302


ENDINGS = [sign_out, sign_out_everywhere, change_password, reset_password, deactivate]


@pytest.fixture
def person(app, make_user, centre):
    """A staff member (so that an admin can deactivate them), and that admin."""
    make_user(email="admin@example.kz", role=Role.ADMIN)
    return make_user(email="person@example.kz", role=Role.STAFF, centre_code=centre)


@pytest.mark.parametrize("ending", ENDINGS, ids=lambda ending: ending.__name__)
@pytest.mark.parametrize("cookie", COOKIES)
def test_a_saved_cookie_stops_working(app, person, ending, cookie):
    client = sign_in(app, person.email)
    copy = {cookie: saved(client)[cookie]}
    assert signed_in_with(app, copy)  # the copy works before: the replay itself is sound
    ending(app, client, person)
    assert not signed_in_with(app, copy)


def test_signing_out_ends_only_this_browser(app, person):
    here, there = sign_in(app, person.email), sign_in(app, person.email)
    sign_out(app, here, person)
    assert not signed_in(here)
    assert signed_in(there)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 1


@pytest.mark.parametrize("ending", [sign_out_everywhere, change_password], ids=lambda ending: ending.__name__)
def test_every_other_browser_is_signed_out(app, person, ending):
    here, there = sign_in(app, person.email), sign_in(app, person.email)
    ending(app, here, person)
    assert not signed_in(there)


def test_a_new_password_keeps_this_browser_signed_in_and_remembered(app, person):
    client = sign_in(app, person.email)
    change_password(app, client, person)
    assert signed_in(client)
    assert signed_in_with(app, {"remember_token": saved(client)["remember_token"]})


def test_the_profile_page_offers_signing_out_everywhere(app, person):
    client = sign_in(app, person.email)
    page = client.get("/account/profile").get_data(as_text=True)
    assert 'action="/account/sessions/end-all"' in page
    assert "this one included" in page
    refused = client.post("/account/sessions/end-all")  # no CSRF token
    assert refused.status_code == 400
    assert signed_in(client)


@pytest.mark.parametrize(
    "ending", [sign_out_everywhere, change_password, reset_password, deactivate], ids=lambda ending: ending.__name__
)
def test_api_tokens_end_with_the_sessions(app, person, ending):
    client = sign_in(app, person.email)
    token = client.post("/api/v1/auth/token", json={"email": person.email, "password": PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/bookings", headers=headers).status_code != 401
    ending(app, client, person)
    assert browser(app).get("/api/v1/bookings", headers=headers).status_code == 401


def test_an_expired_session_signs_nobody_in(app, person, frozen):
    client = sign_in(app, person.email)
    frozen["now"] = frozen["now"] + sessions.DEFAULT_REMEMBER_DURATION
    assert not signed_in_with(app, saved(client))


def test_the_user_is_loaded_with_its_session_in_one_statement(app, person):
    """The per-request cost stays one query (the user, joined with the live session)."""
    client = sign_in(app, person.email)
    login_id = None
    with client.session_transaction() as cookie_session:
        login_id = cookie_session["_user_id"]
    with app.app_context():
        statements = []
        sa.event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        user = sessions.load(db.session, login_id, clock.utcnow())
        assert user is not None
        assert user.id == person.id
        assert user.get_id() == login_id
        queries = [statement for statement in statements if not statement.startswith("BEGIN")]  # SQLite's
        assert len(queries) == 1
        assert "user_session" in queries[0]
        # The same id with another version, or another session, loads nobody.
        user_id, version, session_id = login_id.split(".")
        assert sessions.load(db.session, f"{user_id}.{int(version) + 1}.{session_id}", clock.utcnow()) is None
        assert sessions.load(db.session, f"{user_id}.{version}.other", clock.utcnow()) is None
        assert sessions.load(db.session, user_id, clock.utcnow()) is None  # the id of old cookies


# --- Pages with a full IIN -------------------------------------------------------------------


@pytest.fixture
def world(app, make_user):
    return seed_world(app, make_user)


def as_role(app, world, role: str):
    client = browser(app)
    sign_in_client(app, client, world.users[role])
    return client


def owner_iin(app, world) -> str:
    with app.app_context():
        return db.session.get(User, world.users["user"]).iin


@pytest.mark.parametrize(
    "path", ["/account/profile", "/booking/{booking_id}/print", "/appeals/new", "/appeals/{appeal_id}"]
)
def test_pages_with_the_full_iin_are_not_stored(app, world, path):
    response = as_role(app, world, "user").get(path.format(**world.ids))
    assert response.status_code == 200
    assert owner_iin(app, world) in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_without_it_may_be_stored(app, world):
    response = as_role(app, world, "user").get("/booking/mine")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


@pytest.mark.parametrize("role", ["staff", "admin"])
@pytest.mark.parametrize(
    ("page", "target"),
    [("/staff/bookings/{booking_id}", "booking:{booking_id}"), ("/staff/appeals/{appeal_id}", "appeal:{appeal_id}")],
)
def test_staff_see_the_iin_masked_and_in_full_on_request_audited(app, world, role, page, target):
    iin = owner_iin(app, world)
    client = as_role(app, world, role)
    url = page.format(**world.ids)
    masked = client.get(url)
    body = masked.get_data(as_text=True)
    assert masked.status_code == 200
    assert iin not in body
    assert mask_iin(iin) in body
    assert "no-store" not in masked.headers.get("Cache-Control", "")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(AuditEntry.action == "iin-shown")) == 0
    assert client.post(f"{url}/iin").status_code == 400  # without a CSRF token
    shown = client.post(f"{url}/iin", data={"csrf_token": csrf_token_from(body)})
    assert shown.status_code == 200
    assert iin in shown.get_data(as_text=True)
    assert shown.headers["Cache-Control"] == "no-store"
    with app.app_context():
        (entry,) = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "iin-shown"))
        assert (entry.actor_id, entry.target) == (world.users[role], target.format(**world.ids))
        assert iin not in str(entry.details)


def test_staff_of_another_centre_cannot_ask_for_it(app, world):
    client = as_role(app, world, "foreign_staff")
    page = client.get("/account/profile")
    token = csrf_token_from(page.get_data(as_text=True))
    assert client.post(f"/staff/bookings/{world.ids['booking_id']}/iin", data={"csrf_token": token}).status_code == 404


# --- Password reset links ------------------------------------------------------------------------


def test_reset_tokens_are_opaque_stored_hashed_and_used_once(app, client, make_user):
    user = make_user()
    submit_form(client, "/account/reset", {"email": user.email})
    first = reset_link(app)
    submit_form(client, "/account/reset", {"email": user.email})
    second = reset_link(app)
    tokens = [link.rsplit("/", 1)[1] for link in (first, second)]
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)  # 32 random bytes, nothing else inside
        assert str(user.id) not in token.split("-")
        assert "." not in token
    assert tokens[0] != tokens[1]
    with app.app_context():
        account = db.session.get(User, user.id)
        assert not any(account.password_hash[-12:] in token for token in tokens)
        stored = set(db.session.scalars(sa.select(PasswordReset.token_hash)))
        assert len(stored) == 2
        assert not stored & set(tokens)
    assert client.get(first).status_code == 200
    submit_form(client, first, {"new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD})
    # Used: neither it nor the other link made before works again.
    for link in (first, second):
        again = client.get(link)
        assert again.status_code == 302
        assert again.headers["Location"].endswith("/account/reset")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PasswordReset)) == 0


def test_the_reset_token_never_reaches_the_access_log(app, client, make_user, caplog):
    user = make_user()
    submit_form(client, "/account/reset", {"email": user.email})
    link = reset_link(app)
    token = link.rsplit("/", 1)[1]
    caplog.set_level(logging.INFO)
    caplog.clear()  # only what follows (another test may have left the access log on)
    page = client.get(link)
    submit_form(client, link, {"new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD})
    access = [record for record in caplog.records if record.name == "kezek.access"]
    assert len(access) == 3  # the page, the page again for its form, the form
    for record in access:
        line = record.getMessage() + JsonFormatter().format(record)
        assert token not in line
        assert "/account/reset/[token]" in line
    assert token not in caplog.text
    # Nor does a request from the page carry it on as a Referer.
    assert '<meta name="referrer" content="no-referrer">' in page.get_data(as_text=True)
