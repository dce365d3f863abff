"""Registration confirmed by e-mail: one answer whether the e-mail or the IIN has an account, the
message each mailbox gets, and the single-use, expiring link that opens the account."""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.auth import signup
from app.auth.iin import make_iin
from app.auth.models import PendingRegistration, User
from app.core import clock
from app.core.errors import DomainError
from app.extensions import db
from app.notify.models import OutboxMessage
from app.ops.logs import JsonFormatter
from tests.conftest import BACKENDS, PASSWORD, csrf_token_from, submit_form
from tests.support.mail import confirm_registration, link_in, registration_link, send_outbox, text_of
from tests.support.races_support import Request, interleave, same_twice

NEW_IIN = make_iin(date(1992, 3, 14), "female", 5151)
FORM = {
    "email": "dana@example.kz",
    "full_name": "Dana Seitkali",
    "iin": NEW_IIN,
    "phone": "",
    "language": "en",
    "password": "steppe-road-2026",
    "password_confirm": "steppe-road-2026",
}
OWNER_NAME = "Erlan Owner-Of-Account"


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def owner(make_user):
    """The account whose e-mail or IIN the registrations below reuse."""
    return make_user(email="erlan@example.kz", full_name=OWNER_NAME, language="en")


def cases(owner) -> dict[str, dict]:
    """The form for a new person, for a taken IIN (with a new e-mail) and for a taken e-mail."""
    return {
        "new": FORM,
        "taken-iin": {**FORM, "iin": owner.iin},
        "taken-email": {**FORM, "email": owner.email},
    }


def without_tokens(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', "", html)


def assert_nothing_about(owner, *texts: str) -> None:
    for text in texts:
        for secret in (owner.email, owner.iin, OWNER_NAME):
            assert secret not in text


def test_the_form_answers_alike_for_a_new_person_a_taken_iin_and_a_taken_email(app, owner):
    answers = {}
    for case, form in cases(owner).items():
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        response = submit_form(client, "/account/register", form)
        page = client.get(response.headers["Location"])
        answers[case] = (response.status_code, response.headers["Location"], response.get_data(as_text=True))
        answers[case] += (page.status_code, without_tokens(page.get_data(as_text=True)))
        assert_nothing_about(owner, response.get_data(as_text=True), page.get_data(as_text=True))
    assert answers["new"] == answers["taken-iin"] == answers["taken-email"]
    status, location, _, page_status, page = answers["new"]
    assert (status, location, page_status) == (302, "/account/register/sent", 200)
    assert "Check your e-mail" in page
    assert count(app, User) == 1  # nothing was created for the taken details
    assert count(app, PendingRegistration) == 1  # only for the new person


def test_the_api_answers_alike_with_202_and_no_account_id(app, client, owner):
    body = {key: value for key, value in FORM.items() if key not in {"password_confirm", "language", "phone"}}
    answers = []
    for form in cases(owner).values():
        fields = {key: form[key] for key in body}
        response = client.post("/api/v1/auth/register", json=fields)
        answers.append((response.status_code, response.get_json(), response.headers.get("Location")))
        assert_nothing_about(owner, response.get_data(as_text=True))
    assert answers[0] == answers[1] == answers[2]
    assert answers[0] == (202, {"status": "pending", "detail": "Check your e-mail to finish your registration."}, None)


def test_every_branch_hashes_the_password_once(app, client, owner, monkeypatch):
    """So a taken detail answers no faster than a new one."""
    hashed = []
    real = signup.hash_password
    monkeypatch.setattr(signup, "hash_password", lambda password: hashed.append(1) or real(password))
    for form in cases(owner).values():
        before = len(hashed)
        submit_form(client, "/account/register", form)
        assert len(hashed) == before + 1


def test_each_mailbox_gets_its_own_message_and_nothing_about_the_other_account(app, owner, smtp):
    for form in cases(owner).values():
        submit_form(app.test_client(), "/account/register", form)
    send_outbox(app)
    received = {message["To"]: message for message in smtp.messages}
    assert len(smtp.messages) == 3
    owners_mail = received[owner.email]
    assert owners_mail["Subject"] == "Someone tried to register with your e-mail address"
    assert "sign in" in text_of(owners_mail)
    assert "Forgot your password?" in text_of(owners_mail)
    # The address given gets one "confirm" and one "could not be completed", whichever came first.
    given = sorted(message["Subject"] for message in smtp.messages if message["To"] == FORM["email"])
    assert given == ["Confirm your e-mail address for Kezek", "Your Kezek registration could not be completed"]
    for message in smtp.messages:
        text = text_of(message)
        # What was typed is not repeated: the form cannot send someone words of one's choosing.
        assert FORM["full_name"] not in text
        assert NEW_IIN not in text
        if message["To"] != owner.email:
            assert_nothing_about(owner, text, str(message))
            assert "because this address was entered on the Kezek registration form" in text


def test_the_link_in_the_mail_opens_the_account_and_signs_in(app, client, smtp):
    submit_form(client, "/account/register", {**FORM, "language": "kk"})
    send_outbox(app)
    (mail,) = smtp.messages
    assert mail["Content-Language"] == "kk"
    assert mail["Subject"] == "Kezek үшін электрондық поштаңызды растаңыз"
    link = link_in(mail)
    page = client.get(link)
    assert page.status_code == 200
    assert '<meta name="referrer" content="no-referrer">' in page.get_data(as_text=True)
    assert "no-store" in page.headers["Cache-Control"]
    assert count(app, User) == 0  # opening the link (as a mail scanner does) opens nothing
    opened = client.post(link, data={"csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert opened.status_code == 302
    assert opened.headers["Location"] == "/"
    assert client.get("/account/profile").status_code == 200
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert (user.email, user.iin, user.language, user.role, user.active) == (
            FORM["email"],
            NEW_IIN,
            "kk",
            "user",
            True,
        )
    assert count(app, PendingRegistration) == 0


def test_nobody_signs_in_before_confirming(app, client, auth):
    submit_form(client, "/account/register", FORM)
    assert auth.login(FORM["email"], FORM["password"]).status_code == 401
    token = client.post("/api/v1/auth/token", json={"email": FORM["email"], "password": FORM["password"]})
    assert token.status_code == 401
    assert client.get("/account/profile").status_code == 302
    confirm_registration(client, app, FORM["email"])
    auth.logout()
    assert auth.login(FORM["email"], FORM["password"]).status_code == 302


def test_the_link_works_once(app, client, auth):
    submit_form(client, "/account/register", FORM)
    link = registration_link(app, FORM["email"])
    assert confirm_registration(client, app, FORM["email"]).status_code == 302
    auth.logout()
    again = client.get(link)
    assert again.status_code == 302
    assert again.headers["Location"] == "/account/register"
    assert "This link is not valid any more" in client.get("/account/register").get_data(as_text=True)
    assert submit_form(client, link, {}, page_url="/account/register").headers["Location"] == "/account/register"
    assert count(app, User) == 1
    assert client.get("/account/profile").status_code == 302  # the second press signed nobody in


def test_the_link_expires(app, client):
    start = clock.utcnow()
    clock.set_clock(lambda: start)
    submit_form(client, "/account/register", FORM)
    link = registration_link(app, FORM["email"])
    ttl = app.config["REGISTRATION_TTL_SECONDS"]
    assert ttl == 24 * 3600
    clock.set_clock(lambda: start + timedelta(seconds=ttl - 60))
    page = client.get(link)
    assert page.status_code == 200
    clock.set_clock(lambda: start + timedelta(seconds=ttl + 1))
    assert client.get(link).status_code == 302
    token = csrf_token_from(page.get_data(as_text=True))
    assert client.post(link, data={"csrf_token": token}).headers["Location"] == "/account/register"
    assert count(app, User) == 0
    # The next registration clears the expired one away.
    submit_form(
        client,
        "/account/register",
        {**FORM, "email": "other@example.kz", "iin": make_iin(date(1990, 1, 2), "male", 77)},
    )
    with app.app_context():
        assert db.session.scalars(sa.select(PendingRegistration.email)).all() == ["other@example.kz"]


def test_a_forged_token_is_refused(app, client):
    submit_form(client, "/account/register", FORM)
    real = registration_link(app, FORM["email"])
    for forged in ("/account/register/confirm/forged", real[:-1] + ("A" if real[-1] != "A" else "B")):
        assert client.get(forged).headers["Location"] == "/account/register"
        assert submit_form(client, forged, {}, page_url="/account/register").headers["Location"] == "/account/register"
    assert count(app, User) == 0


def test_of_two_links_for_one_iin_the_first_confirmed_wins(app):
    first, second = app.test_client(), app.test_client()
    submit_form(first, "/account/register", FORM)
    submit_form(second, "/account/register", {**FORM, "email": "someone-else@example.kz"})
    assert confirm_registration(first, app, FORM["email"]).headers["Location"] == "/"
    late = confirm_registration(second, app, "someone-else@example.kz")
    assert late.headers["Location"] == "/account/register"
    assert count(app, User) == 1


def test_a_second_registration_of_one_address_ends_the_first_on_confirmation(app, client):
    submit_form(client, "/account/register", FORM)
    earlier = registration_link(app, FORM["email"])
    submit_form(client, "/account/register", {**FORM, "full_name": "Dana Seitkali-Nur"})
    assert confirm_registration(client, app, FORM["email"]).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(User.full_name)) == "Dana Seitkali-Nur"
    assert client.get(earlier).headers["Location"] == "/account/register"


def test_confirming_signs_out_whoever_was_signed_in(app, client, auth, make_user):
    other = make_user()
    submit_form(client, "/account/register", FORM)
    auth.login(other.email, PASSWORD)
    confirm_registration(client, app, FORM["email"])
    assert FORM["email"] in client.get("/account/profile").get_data(as_text=True)


def test_field_errors_still_answer_at_once(app, client, owner):
    weak = submit_form(client, "/account/register", {**FORM, "email": owner.email, "iin": owner.iin[:-1] + "0"})
    assert weak.status_code == 422
    assert count(app, OutboxMessage) == 0


def test_one_mailbox_gets_a_limited_number_of_messages(app_factory, app):
    limited = app_factory(REGISTER_MAILBOX_LIMIT="2 per hour", REGISTER_RATE_LIMIT="100 per hour")
    answers = set()
    for serial in range(4):
        client = limited.test_client()
        form = {**FORM, "iin": make_iin(date(1991, 2, 3), "male", serial)}
        answers.add(submit_form(client, "/account/register", form).headers["Location"])
    assert answers == {"/account/register/sent"}  # the same answer past the limit
    assert count(app, OutboxMessage) == 2


def test_the_link_is_made_from_the_base_url_not_the_request_host(app, client):
    page = client.get("/account/register", headers={"Host": "evil.example"})
    form = {"csrf_token": csrf_token_from(page.get_data(as_text=True)), **FORM}
    client.post("/account/register", data=form, headers={"Host": "evil.example"})
    with app.app_context():
        url = db.session.scalar(sa.select(OutboxMessage.payload))["url"]
    assert url.startswith(app.config["BASE_URL"] + "/account/register/confirm/")


def test_the_token_never_reaches_the_access_log(app, client, caplog):
    submit_form(client, "/account/register", FORM)
    link = registration_link(app, FORM["email"])
    caplog.set_level(logging.INFO)
    caplog.clear()  # only what follows (another test may have left the access log on)
    confirm_registration(client, app, FORM["email"])
    access = [record for record in caplog.records if record.name == "kezek.access"]
    assert len(access) == 2  # the page, then its form
    token = link.rsplit("/", 1)[1]
    for record in access:
        line = record.getMessage() + JsonFormatter().format(record)
        assert token not in line
        assert "/account/register/confirm/[token]" in line
    assert token not in caplog.text


def _confirm_or_refuse(session, token: str):
    if signup.confirm(session, token, clock.utcnow()) is None:
        raise DomainError("the link is not live", code="link-not-live")


def _link_token(app, email: str) -> str:
    return registration_link(app, email).rsplit("/", 1)[1]


@pytest.mark.postgres_only
@pytest.mark.parametrize("db_url", [b for b in BACKENDS if b == "postgresql"], indirect=True)
def test_two_presses_at_once_open_one_account(app, client):
    """Both requests find the live link before either confirms (tests/support/races_support.py)."""
    submit_form(client, "/account/register", FORM)
    token = _link_token(app, FORM["email"])
    outcomes = same_twice(
        app,
        lambda session: signup.pending(session, token, clock.utcnow()),
        lambda session, _: _confirm_or_refuse(session, token),
    )
    assert outcomes == ["ok", "link-not-live"]
    assert count(app, User) == 1


@pytest.mark.postgres_only
@pytest.mark.parametrize("db_url", [b for b in BACKENDS if b == "postgresql"], indirect=True)
def test_two_links_for_one_iin_confirmed_at_once_open_one_account(app):
    first, second = app.test_client(), app.test_client()
    submit_form(first, "/account/register", FORM)
    submit_form(second, "/account/register", {**FORM, "email": "someone-else@example.kz"})
    tokens = [_link_token(app, FORM["email"]), _link_token(app, "someone-else@example.kz")]
    outcomes = interleave(
        app,
        *(
            Request(
                lambda session, t=t: signup.pending(session, t, clock.utcnow()),
                lambda session, _, t=t: _confirm_or_refuse(session, t),
            )
            for t in tokens
        ),
    )
    assert outcomes == ["ok", "link-not-live"]  # the unique IIN decides; no error reaches the person
    assert count(app, User) == 1
