"""Abuse limits (security issue #26, point 3): sign-in throttling that never locks the owner out,
rate limits keyed on the person, a daily cap on holds, registration that does not reveal IINs,
appeal limits and duplicates, and anonymous trial exams."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.appeals import applicant_steps
from app.appeals.models import Appeal
from app.auth import services as auth_services
from app.auth.iin import make_iin
from app.auth.models import Role
from app.auth.throttle import DEVICE_COOKIE
from app.centres.models import Centre
from app.core import clock
from app.core.acting import Acting
from app.exam.models import Attempt
from app.extensions import db
from tests.conftest import PASSWORD, csrf_token_from, submit_form
from tests.support.appeals_support import ADDRESS, ESSENCE, file
from tests.support.booking_support import NOW, freeze, local, make_slot, run

WRONG = "wrong-pass-1"


ADDRESSES = iter(f"10.0.{n // 250}.{n % 250 + 1}" for n in range(100_000))


def browser(app):
    """A browser of its own on a network of its own (the per-address limits are not tested here)."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.environ_base["REMOTE_ADDR"] = next(ADDRESSES)
    return client


def web_sign_in(client, email: str, password: str):
    return submit_form(client, "/account/login", {"email": email, "password": password})


def api_sign_in(client, email: str, password: str):
    return client.post("/api/v1/auth/token", json={"email": email, "password": password})


def lock_out(app, email: str) -> None:
    """Five wrong passwords from a browser the account was never used on."""
    attacker = browser(app)
    assert [web_sign_in(attacker, email, WRONG).status_code for _ in range(5)] == [401] * 5


# --- Sign-in throttling ------------------------------------------------------------------------


def test_wrong_passwords_lock_the_account_on_other_browsers_only(app, make_user):
    user = make_user()
    owner = browser(app)
    assert web_sign_in(owner, user.email, PASSWORD).status_code == 302  # this browser is now known
    submit_form(owner, "/account/logout", {}, page_url="/")
    lock_out(app, user.email)
    stranger = browser(app)
    refused = web_sign_in(stranger, user.email, PASSWORD)  # even the right password waits there
    assert refused.status_code == 429
    assert "Too many failed sign-ins" in refused.get_data(as_text=True)
    assert web_sign_in(owner, user.email, PASSWORD).status_code == 302  # the owner is not locked out


def test_the_api_shares_the_lock_and_the_device_cookie(app, make_user):
    user = make_user()
    owner = browser(app)
    assert api_sign_in(owner, user.email, PASSWORD).status_code == 200
    lock_out(app, user.email)
    refused = api_sign_in(browser(app), user.email, PASSWORD)
    assert refused.status_code == 429
    assert refused.get_json()["code"] == "account-locked"
    assert api_sign_in(owner, user.email, PASSWORD).status_code == 200
    assert web_sign_in(owner, user.email, PASSWORD).status_code == 302


def test_unknown_and_known_accounts_get_the_same_answers(app, make_user):
    user = make_user()

    def answers(email):
        client = browser(app)
        found = [api_sign_in(client, email, WRONG) for _ in range(6)]
        return [(response.status_code, response.get_json()) for response in found]

    known, unknown = answers(user.email), answers("nobody@example.kz")
    assert known == unknown
    assert [status for status, _ in known] == [401] * 5 + [429]


def test_every_answer_costs_one_password_check(app, make_user, monkeypatch):
    """The timing channel: a locked or unknown account is not answered faster than a known one."""
    user = make_user()
    lock_out(app, user.email)
    lock_out(app, "nobody@example.kz")
    checks = []
    real_check = auth_services.check_password_hash
    monkeypatch.setattr(auth_services, "check_password_hash", lambda *a: checks.append(1) or real_check(*a))
    client = browser(app)
    for email in (user.email, "nobody@example.kz", "somebody-else@example.kz"):
        checks.clear()
        api_sign_in(client, email, WRONG)
        assert len(checks) == 1, email


def test_a_device_cookie_of_another_account_or_forged_is_not_trusted(app, make_user):
    user, other = make_user(), make_user()
    client = browser(app)
    assert web_sign_in(client, other.email, PASSWORD).status_code == 302  # known for `other` only
    submit_form(client, "/account/logout", {}, page_url="/")
    lock_out(app, user.email)
    assert web_sign_in(client, user.email, PASSWORD).status_code == 429
    forged = browser(app)
    forged.set_cookie(DEVICE_COOKIE, "eyJhY2NvdW50IjoieCJ9.forged.signature")
    assert web_sign_in(forged, user.email, PASSWORD).status_code == 429


def test_a_device_cookie_has_its_own_failure_limit(app_factory, app, make_user):
    limited = app_factory(LOGIN_DEVICE_FAILURE_LIMIT="3 per hour")
    user = make_user()
    owner = browser(limited)
    assert web_sign_in(owner, user.email, PASSWORD).status_code == 302
    submit_form(owner, "/account/logout", {}, page_url="/")
    lock_out(limited, user.email)
    # A stolen laptop's cookie does not give endless guesses: after its own limit it is a stranger.
    assert [web_sign_in(owner, user.email, WRONG).status_code for _ in range(3)] == [401] * 3
    assert web_sign_in(owner, user.email, PASSWORD).status_code == 429


def test_a_new_password_lifts_the_lock(app, make_user):
    user = make_user()
    lock_out(app, user.email)
    with app.app_context():
        from app.auth import reset
        from app.auth.models import User
        from app.extensions import db

        token = reset.make_token(db.session, db.session.get(User, user.id), ttl_seconds=3600, now=clock.utcnow())
        db.session.commit()
    client = browser(app)
    new_password = "new-horse-battery-7"
    changed = submit_form(
        client, f"/account/reset/{token}", {"new_password": new_password, "new_password_confirm": new_password}
    )
    assert changed.status_code == 302
    assert web_sign_in(client, user.email, new_password).status_code == 302


# --- Rate-limit keys -----------------------------------------------------------------------------


LIMIT = "3 per minute"


def test_a_made_up_authorization_header_does_not_reset_the_booking_limit(app_factory, app, make_user, centre):
    freeze(NOW)
    user = make_user()
    limited = app_factory(BOOKING_RATE_LIMIT=LIMIT)
    slot = make_slot(limited)
    client = browser(limited)
    web_sign_in(client, user.email, PASSWORD)
    form = {"csrf_token": csrf_token_from(client.get("/booking/mine").get_data(as_text=True))}
    statuses = [
        client.post(f"/booking/slots/{slot}/hold", data=form, headers={"Authorization": f"Bearer made-up-{n}"})
        for n in range(4)
    ]
    assert [response.status_code for response in statuses][3] == 429


def test_a_second_token_of_the_same_person_does_not_reset_the_booking_limit(app_factory, app, make_user, centre):
    freeze(NOW)
    user = make_user()
    limited = app_factory(BOOKING_RATE_LIMIT=LIMIT)
    slot = make_slot(limited)
    client = browser(limited)
    tokens = [api_sign_in(client, user.email, PASSWORD).get_json()["token"] for _ in range(2)]
    statuses = [
        client.post(
            "/api/v1/bookings", json={"slot_id": slot}, headers={"Authorization": f"Bearer {tokens[n % 2]}"}
        ).status_code
        for n in range(4)
    ]
    assert 429 not in statuses[:3]
    assert statuses[3] == 429


def test_made_up_tokens_share_the_address_limit(app_factory, app, centre):
    limited = app_factory(BOOKING_RATE_LIMIT=LIMIT)
    client = browser(limited)
    statuses = [
        client.post("/api/v1/bookings", json={"slot_id": 1}, headers={"Authorization": f"Bearer made-up-{n}"})
        for n in range(4)
    ]
    assert [response.status_code for response in statuses] == [401, 401, 401, 429]


# --- Holds ---------------------------------------------------------------------------------------


def test_expired_holds_count_toward_the_daily_limit(app_factory, app, make_user, centre):
    limited = app_factory(BOOKING_DAILY_HOLD_LIMIT=2)
    user = make_user()
    slot = make_slot(limited, starts=local(2026, 12, 10))
    client = browser(limited)
    freeze(NOW)
    headers = {"Authorization": f"Bearer {api_sign_in(client, user.email, PASSWORD).get_json()['token']}"}

    def take_hold_at(moment):
        freeze(moment)
        return client.post("/api/v1/bookings", json={"slot_id": slot}, headers=headers)

    assert take_hold_at(NOW).status_code == 201
    assert take_hold_at(NOW + timedelta(minutes=16)).status_code == 201  # the first one expired
    refused = take_hold_at(NOW + timedelta(minutes=32))
    assert refused.status_code == 429
    assert refused.get_json()["code"] == "hold-limit"
    assert take_hold_at(NOW + timedelta(hours=24, minutes=1)).status_code == 201


def test_the_web_tells_why_a_hold_is_refused(app_factory, app, make_user, centre):
    limited = app_factory(BOOKING_DAILY_HOLD_LIMIT=0)
    user = make_user()
    slot = make_slot(limited)
    freeze(NOW)
    client = browser(limited)
    web_sign_in(client, user.email, PASSWORD)
    form = {"csrf_token": csrf_token_from(client.get("/booking/mine").get_data(as_text=True))}
    page = client.post(f"/booking/slots/{slot}/hold", data=form, follow_redirects=True)
    assert "too many holds in the last 24 hours" in page.get_data(as_text=True)


# --- Registration --------------------------------------------------------------------------------


REGISTRATION = {
    "password": "Str0ng-pass-2026",
    "full_name": "Aigerim Sadykova",
    "phone": "+7 701 234 56 78",
    "lang": "en",
}


@pytest.mark.parametrize("taken", ["iin", "email"])
def test_registration_does_not_tell_which_detail_has_an_account(client, make_user, taken):
    """More in tests/auth/test_registration.py (HTML, timing, the messages each mailbox gets)."""
    existing = make_user(email="aigerim@example.kz")
    fresh = {"email": "someone-new@example.kz", "iin": make_iin(date(1990, 5, 17), "female", 4242)}
    new = client.post("/api/v1/auth/register", json={**REGISTRATION, **fresh})
    body = {**REGISTRATION, **fresh, "email": "another-new@example.kz", taken: getattr(existing, taken)}
    answer = client.post("/api/v1/auth/register", json=body)
    assert new.status_code == answer.status_code == 202
    assert answer.get_json() == new.get_json()


def test_a_taken_iin_is_not_named_while_other_fields_are_wrong(client, make_user):
    existing = make_user()
    body = {**REGISTRATION, "email": "someone-new@example.kz", "iin": existing.iin, "password": "short"}
    problem = client.post("/api/v1/auth/register", json=body).get_json()
    assert set(problem["errors"]) == {"password"}  # as for an IIN nobody uses


def test_an_administrator_creating_staff_is_told_which_detail_is_taken(app, make_user, centre):
    existing = make_user()
    with app.app_context():
        alm = db.session.scalar(sa.select(Centre).where(Centre.code == centre))
        data = auth_services.Registration(
            email=existing.email, password="Str0ng-pass-2026", full_name="Erlan Zhaksybekov", iin=existing.iin
        )
        problems = auth_services.registration_problems(db.session, data, role=Role.STAFF, centre=alm)
    assert set(problems) == {"email", "iin"}


# --- Appeals -------------------------------------------------------------------------------------


def appeal_body(**changes) -> dict:
    return {"subject": "booking", "centre": "ALM", "essence": ESSENCE, "postal_address": ADDRESS, **changes}


def api_as(app, user) -> callable:
    client = browser(app)
    headers = {"Authorization": f"Bearer {api_sign_in(client, user.email, PASSWORD).get_json()['token']}"}
    return lambda body: client.post("/api/v1/appeals", json=body, headers=headers)


def test_the_same_open_appeal_is_refused_as_a_duplicate(app, make_user, centre):
    freeze(NOW)
    post = api_as(app, make_user())
    first = post(appeal_body())
    assert first.status_code == 201
    # The same matter again, however its spaces and capitals were typed.
    again = post(appeal_body(essence="  " + ESSENCE.upper().replace(" ", "   ")))
    assert again.status_code == 409
    problem = again.get_json()
    assert problem["code"] == "appeal-duplicate"
    assert first.get_json()["receipt_number"] in problem["detail"]
    assert post(appeal_body(essence="Another matter entirely.")).status_code == 201


def test_a_withdrawn_appeal_can_be_filed_again(app, make_user, centre):
    freeze(NOW)
    user = make_user()
    appeal = file(app, user.id, centre_code="ALM")
    run(app, lambda s: applicant_steps.withdraw(Acting(s, None, NOW), s.get(Appeal, appeal)))
    assert api_as(app, user)(appeal_body()).status_code == 201


def test_appeals_per_person_per_day(app_factory, app, make_user, centre):
    limited = app_factory(APPEAL_DAILY_LIMIT=2)
    freeze(NOW)
    user = make_user()
    post = api_as(limited, user)
    assert [post(appeal_body(essence=f"Matter {n}.")).status_code for n in range(2)] == [201, 201]
    refused = post(appeal_body(essence="Matter 3."))
    assert refused.status_code == 429
    assert refused.get_json()["code"] == "appeal-limit"
    assert api_as(limited, make_user())(appeal_body(essence="Matter 3.")).status_code == 201  # per person
    freeze(NOW + timedelta(hours=24, minutes=1))
    assert post(appeal_body(essence="Matter 3.")).status_code == 201


def test_the_appeal_form_says_why_it_is_refused(app, make_user, centre):
    freeze(NOW)
    user = make_user()
    file(app, user.id, centre_code="ALM")
    client = browser(app)
    web_sign_in(client, user.email, PASSWORD)
    form = {"centre": "ALM", "postal_address": ADDRESS, "essence": ESSENCE, "confirmed": "y"}
    response = submit_form(client, "/appeals/new", form)
    assert response.status_code == 422
    assert "You have already filed this appeal: APL-ALM-2026-000001" in response.get_data(as_text=True)


# --- Anonymous trial exams -----------------------------------------------------------------------


EXAM = {"profile": "B", "language": "en", "mode": "exam"}


def start_exam(client, form=EXAM):
    return submit_form(client, "/exam/start", form, page_url="/exam/")


def test_a_browser_has_one_open_anonymous_exam_and_is_offered_to_continue_it(app, bank, frozen):
    client = browser(app)
    first = start_exam(client)
    assert first.status_code == 302
    open_one = first.headers["Location"]
    again = start_exam(client)
    assert again.status_code == 302
    assert again.headers["Location"] == open_one.rsplit("/", 1)[0]
    page = client.get(again.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "You have a trial exam in progress" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Attempt)) == 1


def test_a_finished_or_expired_exam_lets_the_browser_start_another(app, bank, frozen):
    client = browser(app)
    first = start_exam(client).headers["Location"]
    frozen["now"] += timedelta(hours=2)  # its time ran out
    second = start_exam(client).headers["Location"]
    assert second != first
    with app.app_context():
        statuses = sorted(db.session.scalars(sa.select(Attempt.status)))
    assert statuses == ["expired", "in_progress"]


def test_signed_in_people_are_not_held_to_one_attempt(app, bank, frozen, make_user):
    user = make_user()
    client = browser(app)
    web_sign_in(client, user.email, PASSWORD)
    assert start_exam(client).headers["Location"] != start_exam(client).headers["Location"]


def test_anonymous_starts_are_limited_per_session(app_factory, app, bank, frozen):
    limited = app_factory(EXAM_ANONYMOUS_SESSION_RATE_LIMIT="2 per hour")
    client = browser(limited)
    assert [start_exam(client).status_code for _ in range(2)] == [302, 302]
    assert start_exam(client).status_code == 429


def test_anonymous_starts_are_limited_per_address(app_factory, app, bank, frozen):
    limited = app_factory(EXAM_ANONYMOUS_START_RATE_LIMIT="2 per hour")
    same_address = []
    for _ in range(3):
        client = browser(limited)  # a new session each time: cookies thrown away
        client.environ_base["REMOTE_ADDR"] = "10.9.9.9"
        same_address.append(start_exam(client).status_code)
    assert same_address == [302, 302, 429]
    assert start_exam(browser(limited)).status_code == 302  # another address
