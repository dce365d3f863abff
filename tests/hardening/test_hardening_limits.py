"""Rate limits on everything a bot would hammer: sign-in, registration, tokens, password resets and
taking exam places, on the web and in the API. Limits are set low here; the 4th request is refused."""

from __future__ import annotations

import pytest

from app.auth.models import Role
from tests.conftest import PASSWORD, csrf_token_from
from tests.support.booking_support import NOW, freeze, make_slot

LIMIT = "3 per minute"


def _form(client, page: str, data: dict) -> dict:
    return {"csrf_token": csrf_token_from(client.get(page).get_data(as_text=True)), **data}


def web_login(client, ctx):
    return client.post("/account/login", data=ctx.setdefault("form", _form(client, "/account/login", ctx["login"])))


def web_register(client, ctx):
    return client.post("/account/register", data=ctx.setdefault("form", _form(client, "/account/register", {})))


def web_reset(client, ctx):
    form = ctx.setdefault("form", _form(client, "/account/reset", {"email": "nobody@example.kz"}))
    return client.post("/account/reset", data=form)


def api_register(client, ctx):
    return client.post("/api/v1/auth/register", json={"email": "bot@example.kz"})


def api_token(client, ctx):
    return client.post("/api/v1/auth/token", json=ctx["login"])


def web_hold(client, ctx):
    if "form" not in ctx:
        client.post("/account/login", data=_form(client, "/account/login", ctx["login"]))
        ctx["form"] = _form(client, "/booking/mine", {})
    return client.post(f"/booking/slots/{ctx['slot']}/hold", data=ctx["form"])


def api_booking(client, ctx):
    if "token" not in ctx:
        ctx["token"] = client.post("/api/v1/auth/token", json=ctx["login"]).get_json()["token"]
    headers = {"Authorization": f"Bearer {ctx['token']}"}
    return client.post("/api/v1/bookings", json={"slot_id": ctx["slot"]}, headers=headers)


@pytest.mark.parametrize(
    "send",
    [web_login, web_register, web_reset, api_register, api_token, web_hold, api_booking],
    ids=lambda f: f.__name__,
)
def test_fourth_request_in_a_minute_is_refused(app, app_factory, make_user, centre, send):
    freeze(NOW)
    user = make_user(role=Role.USER)
    limited = app_factory(LOGIN_RATE_LIMIT=LIMIT, REGISTER_RATE_LIMIT=LIMIT, BOOKING_RATE_LIMIT=LIMIT)
    # Wrong password for the sign-in limits (the account lock starts only after 5 failures);
    # the right one where signing in is only the way to the limited action.
    password = PASSWORD if send in (web_hold, api_booking) else "wrong-pass-1"
    ctx = {"login": {"email": user.email, "password": password}, "slot": make_slot(app)}
    client = limited.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    statuses = [send(client, ctx).status_code for _ in range(4)]
    assert 429 not in statuses[:3]
    assert statuses[3] == 429
