"""Fixtures of the messenger tests: the app pointed at fake services on 127.0.0.1."""

from __future__ import annotations

import pytest

from app.auth import services as auth_services
from app.auth.models import User
from app.core import clock
from app.extensions import db
from app.jobs import tasks
from tests.support import fake_services
from tests.support.booking_support import NOW

SECRET = "webhook-secret-for-tests"
CHAT = 555001


@pytest.fixture
def gateway(app):
    service = fake_services.sms_gateway()
    app.config.update(
        SMS_BACKEND="gateway",
        SMS_GATEWAY_URL=service.url,
        SMS_GATEWAY_KEY="kz-key",
        SMS_SENDER="Kezek",
        MAIL_SERVER=None,
    )
    yield service
    service.stop()


@pytest.fixture
def bot(app):
    """A fake Bot API; the app's Telegram settings point at it."""
    service = fake_services.bot_api()
    app.config.update(
        TELEGRAM_BOT_TOKEN="123456:TEST",
        TELEGRAM_BOT_USERNAME="KezekTestBot",
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        TELEGRAM_API_BASE_URL=service.url,
        TELEGRAM_TIMEOUT=5,
        MAIL_SERVER=None,
    )
    yield service
    service.stop()


def bearer(app, user_id: int) -> dict[str, str]:
    with app.app_context():
        token = auth_services.issue_token(db.session, db.session.get(User, user_id), 3600)[0]
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def webhook(client, update: dict, secret: str = SECRET):
    return client.post("/telegram/webhook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret})


def start(client, chat_id: int, token: str, language: str = "en"):
    return webhook(
        client,
        {
            "update_id": chat_id,
            "message": {
                "message_id": 1,
                "from": {"id": chat_id, "is_bot": False, "first_name": "A", "language_code": language},
                "chat": {"id": chat_id, "type": "private"},
                "date": 0,
                "text": f"/start {token}",
            },
        },
    )


def press(client, chat_id: int, data: str):
    return webhook(
        client,
        {
            "update_id": 2,
            "callback_query": {
                "id": f"q{chat_id}",
                "from": {"id": chat_id, "is_bot": False, "first_name": "A"},
                "message": {"message_id": 7, "chat": {"id": chat_id, "type": "private"}, "date": 0},
                "chat_instance": "1",
                "data": data,
            },
        },
    )


def link_chat(app, client, user_id: int, chat_id: int = CHAT) -> None:
    answer = client.post("/api/v1/me/telegram/link", headers=bearer(app, user_id))
    assert answer.status_code == 200
    token = answer.json["url"].split("start=")[1]
    assert start(client, chat_id, token).status_code == 200


def send(app) -> str:
    with app.app_context():
        return tasks.send_outbox(db.session, clock.utcnow())


def give_phone(app, user_id: int, confirmed: bool = True) -> None:
    with app.app_context():
        user = db.session.get(User, user_id)
        user.phone = "+77011234567"
        user.phone_confirmed_at = NOW if confirmed else None
        db.session.commit()
