"""Confirming a phone number by a one-time SMS code: service, API and the profile page."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import sqlalchemy as sa

from app.auth import phone
from app.auth import services as auth_services
from app.auth.models import PhoneCode, User
from app.core import clock
from app.extensions import db
from app.jobs import tasks
from app.notify import delivery
from app.notify.models import OutboxMessage
from app.notify.senders import ConsoleSms
from tests.conftest import submit_form


def _bearer(app, user_id: int) -> dict[str, str]:
    with app.app_context():
        token = auth_services.issue_token(db.session, db.session.get(User, user_id), 3600)[0]
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def _sent_code(app) -> str:
    """The code the last phone-code message carries, as the SMS channel prints it."""
    out = io.StringIO()
    with app.app_context():
        message = db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.kind == phone.KIND).order_by(OutboxMessage.id.desc())
        ).first()
        channels = delivery.Channels(_NoMail(), ConsoleSms(stream=out))
        delivery.deliver(db.session, message.id, clock.utcnow(), channels, delivery.RetryPolicy())
        db.session.commit()
    return re.search(r"\b(\d{6})\b", out.getvalue()).group(1)


class _NoMail:
    def send(self, email):  # a code goes by SMS only
        raise AssertionError("a phone code must not be e-mailed")


def test_api_sends_a_code_by_sms_and_confirms_the_number(app, client, make_user):
    user = make_user()
    headers = _bearer(app, user.id)
    answer = client.post("/api/v1/me/phone/verify", json={"phone": "8 (701) 234-56-78"}, headers=headers)
    assert answer.status_code == 200
    assert answer.json["phone"] == "+77012345678"
    assert answer.json["confirmed"] is False
    with app.app_context():
        stored = db.session.get(PhoneCode, user.id)
        assert stored.phone == "+77012345678"
        assert not re.fullmatch(r"\d{6}", stored.code_hash)
    out = io.StringIO()
    with app.app_context():
        message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == phone.KIND))
        delivery.deliver(
            db.session,
            message.id,
            clock.utcnow(),
            delivery.Channels(_NoMail(), ConsoleSms(stream=out)),
            delivery.RetryPolicy(),
        )
        db.session.commit()
    assert "+770****78" in out.getvalue()
    code = re.search(r"\b(\d{6})\b", out.getvalue()).group(1)

    wrong = "000000" if code != "000000" else "111111"
    refused = client.post("/api/v1/me/phone/confirm", json={"code": wrong}, headers=headers)
    assert refused.status_code == 422
    assert refused.json["code"] == "phone-code-invalid"
    answer = client.post("/api/v1/me/phone/confirm", json={"code": code}, headers=headers)
    assert answer.status_code == 200
    assert answer.json == {
        "phone": "+77012345678",
        "confirmed": True,
        "code_expires_at": None,
    }
    with app.app_context():
        account = db.session.get(User, user.id)
        assert account.phone == "+77012345678"
        assert phone.phone_confirmed(account)
        assert db.session.get(PhoneCode, user.id) is None  # used once
    again = client.post("/api/v1/me/phone/confirm", json={"code": code}, headers=headers)
    assert again.status_code == 422
    assert again.json["code"] == "phone-code-missing"


def test_bad_numbers_expired_codes_and_attempt_limit(app, client, make_user):
    user = make_user()
    headers = _bearer(app, user.id)
    bad = client.post("/api/v1/me/phone/verify", json={"phone": "12345"}, headers=headers)
    assert bad.status_code == 422
    assert client.post("/api/v1/me/phone/verify", json={"phone": "+77012345678"}, headers=headers).status_code == 200
    code = _sent_code(app)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(app.config["PHONE_CODE_MAX_ATTEMPTS"]):
        assert client.post("/api/v1/me/phone/confirm", json={"code": wrong}, headers=headers).status_code == 422
    # The attempts are used up: even the right code is refused now.
    spent = client.post("/api/v1/me/phone/confirm", json={"code": code}, headers=headers)
    assert spent.json["code"] == "phone-code-expired"

    assert client.post("/api/v1/me/phone/verify", json={"phone": "+77012345678"}, headers=headers).status_code == 200
    code = _sent_code(app)
    clock.set_clock(lambda: clock.datetime.now(clock.UTC) + timedelta(seconds=app.config["PHONE_CODE_TTL_SECONDS"] + 1))
    try:
        late = client.post("/api/v1/me/phone/confirm", json={"code": code}, headers=headers)
    finally:
        clock.set_clock(None)
    assert late.json["code"] == "phone-code-expired"
    with app.app_context():
        assert not phone.phone_confirmed(db.session.get(User, user.id))


def test_codes_are_rate_limited_per_person(app, client, make_user):
    headers = _bearer(app, make_user().id)
    answers = [
        client.post("/api/v1/me/phone/verify", json={"phone": "+77012345678"}, headers=headers).status_code
        for _ in range(4)
    ]
    assert answers == [200, 200, 200, 429]
    assert client.post("/api/v1/me/phone/verify", json={"phone": "+77012345678"}).status_code == 401


def test_profile_page_confirms_the_number_and_a_new_number_is_unconfirmed(app, client, auth, make_user):
    user = make_user(language="en")
    auth.login(user.email)
    page = client.get("/account/profile").get_data(as_text=True)
    assert "Send me a code" in page
    assert "Code from the SMS" not in page
    answer = submit_form(client, "/account/phone/verify", {"number": "+7 701 234 56 78"}, page_url="/account/profile")
    assert answer.status_code == 302
    page = client.get("/account/profile").get_data(as_text=True)
    assert "Code from the SMS" in page
    code = _sent_code(app)
    answer = submit_form(client, "/account/phone/confirm", {"code": code}, page_url="/account/profile")
    assert answer.status_code == 302
    assert "+77012345678 is confirmed" in client.get("/account/profile").get_data(as_text=True)

    # Another number in the profile form is not confirmed until its own code.
    answer = submit_form(
        client, "/account/profile", {"full_name": "Test Person", "phone": "+77017654321", "language": "en"}
    )
    assert answer.status_code == 302
    with app.app_context():
        assert not phone.phone_confirmed(db.session.get(User, user.id))
    # A wrong code shows an error on the page and counts.
    submit_form(client, "/account/phone/verify", {"number": "+77017654321"}, page_url="/account/profile")
    refused = submit_form(client, "/account/phone/confirm", {"code": "abc"}, page_url="/account/profile")
    assert refused.status_code == 422
    assert "The code is not correct." in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(PhoneCode, user.id).attempts == 1


def test_the_outbox_job_sends_the_code_by_sms_only(app, make_user, capsys):
    user = make_user()
    with app.app_context():
        phone.send_code(db.session, db.session.get(User, user.id), "+77012345678", clock.utcnow())
        db.session.commit()
        tasks.send_outbox(db.session, clock.utcnow())
        message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == phone.KIND))
        assert message.status == "sent"
        assert message.email_sent_at is None
        assert message.sms_sent_at is not None
    printed = capsys.readouterr().out
    assert "--- SMS to +770****78 ---" in printed
    assert "--- e-mail" not in printed
