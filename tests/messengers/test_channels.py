"""WhatsApp templates and the SMS gateway as their providers document them, the person's choice
of channels, delivery status per channel, and a run killed between channels."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.notify import delivery
from app.notify.models import MessageSettings, OutboxMessage
from app.notify.senders import DeliveryError
from app.notify.sms_gateway import MobizonSms, split
from app.notify.telegram import BotApi, TelegramSender, Throttle
from tests.conftest import submit_form
from tests.messengers.conftest import CHAT, give_phone, link_chat, send
from tests.support import fake_services
from tests.support.booking_support import NOW, book, freeze, make_slot


@pytest.fixture
def graph(app):
    service = fake_services.graph_api()
    app.config.update(
        WHATSAPP_TOKEN="wa-token",
        WHATSAPP_PHONE_NUMBER_ID="1098765",
        WHATSAPP_API_BASE_URL=service.url + "/v21.0",
        MAIL_SERVER=None,
    )
    yield service
    service.stop()


def test_whatsapp_confirmation_is_a_template_in_the_persons_language(app, client, auth, graph, make_user, centre):
    freeze(NOW)
    user = make_user(language="ru")
    give_phone(app, user.id)
    auth.login(user.email)
    page = client.get("/account/profile").get_data(as_text=True)
    assert "Получать подтверждения и напоминания в WhatsApp" in page
    submit_form(client, "/account/whatsapp", {"opt_in": "1"}, page_url="/account/profile")
    book(app, user.id, make_slot(app))
    send(app)
    [call] = graph.received
    assert call.path == "/v21.0/1098765/messages"
    assert call.headers["Authorization"] == "Bearer wa-token"
    body = call.json
    assert body["messaging_product"] == "whatsapp"
    assert body["to"] == "77011234567"
    assert body["type"] == "template"
    assert body["template"]["name"] == "kezek_booking_confirmed"
    assert body["template"]["language"] == {"code": "ru"}
    [component] = body["template"]["components"]
    assert component["type"] == "body"
    params = [p["text"] for p in component["parameters"]]
    assert all(p["type"] == "text" for p in component["parameters"])
    assert "декабря" in params[0]  # the date in Russian
    assert params[2].startswith("ALM-T-")  # the ticket
    send(app)
    assert len(graph.received) == 1


def test_whatsapp_needs_a_confirmed_phone(app, client, auth, graph, make_user, centre):
    freeze(NOW)
    user = make_user(language="en")
    give_phone(app, user.id, confirmed=False)
    auth.login(user.email)
    assert "Confirm your phone number above" in client.get("/account/profile").get_data(as_text=True)
    submit_form(client, "/account/whatsapp", {"opt_in": "1"}, page_url="/account/profile")
    with app.app_context():
        settings = db.session.get(MessageSettings, user.id)
        assert settings is None or settings.whatsapp_opt_in_at is None
    book(app, user.id, make_slot(app))
    send(app)
    assert graph.received == []


def test_sms_gateway_gets_the_text_as_mobizon_documents(app, gateway, make_user, centre):
    from app.booking import holds
    from app.booking.models import Booking
    from tests.support.booking_support import POLICY

    freeze(NOW)
    user = make_user(language="kk")
    give_phone(app, user.id, confirmed=False)  # SMS goes to a number given, as before
    booking_id = book(app, user.id, make_slot(app))
    with app.app_context():
        holds.cancel(db.session, db.session.get(Booking, booking_id), NOW, POLICY)
        db.session.commit()
    send(app)
    [call] = gateway.received  # the cancellation only: the confirmation is no SMS kind
    assert call.path == "/service/Message/SendSmsMessage"
    assert call.query == {"output": ["json"], "api": ["v1"], "apiKey": ["kz-key"]}
    form = call.form
    assert form["recipient"] == ["77011234567"]
    assert form["from"] == ["Kezek"]
    assert "жазылуыңыз" in form["text"][0].lower() or "Kezek:" in form["text"][0]
    assert any(letter in form["text"][0] for letter in "әіңғүұқөһ")  # Kazakh letters as they are


def test_sms_gateway_errors_retry_and_long_texts_are_split(app, gateway):
    gateway.answer(200, {"code": 1, "data": [], "message": "Неверный ключ"})
    sms = MobizonSms(gateway.url, "kz-key", "Kezek", max_parts=2)
    with pytest.raises(DeliveryError, match="code 1"):
        sms.send("+77011234567", "Сәлем")
    text = " ".join(["Қазақстан"] * 40)  # 399 UCS-2 characters: more than 2 parts of 67
    pieces = split(text, 2)
    assert all(len(piece) <= 134 for piece in pieces)
    assert " ".join(pieces) == text
    assert split("hello " * 60, 2) == ["hello " * 50 + "hello", ("hello " * 8 + "hello")]  # GSM-7: 306 a message
    sms.send("+77011234567", text)
    assert [r.form["text"][0] for r in gateway.received[1:]] == pieces


def test_channels_chosen_per_kind_and_status_shown(app, client, auth, bot, make_user, centre):
    freeze(NOW)
    user = make_user(language="en")
    link_chat(app, client, user.id)
    auth.login(user.email)
    page = client.get("/account/profile").get_data(as_text=True)
    assert "Unlink Telegram" in page
    # The confirmation by Telegram only.
    submit_form(
        client,
        "/account/channels",
        {"confirmation": ["telegram"], "reminder-24h": ["email", "telegram"], "cancellation": ["email"]},
        page_url="/account/profile",
    )
    book(app, user.id, make_slot(app))
    send(app)
    with app.app_context():
        message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == "confirmation"))
        assert message.channels == ["telegram"]
        assert message.email_sent_at is None
    assert len(bot.calls("/sendMessage")) == 1
    inbox = client.get("/notifications").get_data(as_text=True)
    assert "Telegram: sent" in inbox


def test_admin_jobs_page_shows_each_channel(app, client, auth, bot, make_user, centre):
    freeze(NOW)
    user = make_user(language="en")
    link_chat(app, client, user.id)
    app.config["OUTBOX_MAX_ATTEMPTS"] = 2
    for _ in range(2):
        bot.answer(500, {"ok": False, "error_code": 500, "description": "Internal Server Error"})
    book(app, user.id, make_slot(app))
    for step in range(2):
        freeze(NOW + timedelta(hours=2 * step))
        send(app)
    with app.app_context():
        message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == "confirmation"))
        assert message.status == "failed"
        assert delivery.channel_states(message) == [
            ("email", "sent", None),
            ("telegram", "failed", "Telegram sendMessage: 500 Internal Server Error"),
        ]
    from app.auth.models import Role

    admin = make_user(role=Role.ADMIN)
    auth.login(admin.email)
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "E-mail: sent" in page
    assert "Telegram: failed" in page


class RecordingMailer:
    def __init__(self):
        self.sent = []

    def send(self, email):
        self.sent.append(email.message_id)


class KilledTelegram:
    """The process dies while sending to Telegram, before Telegram got anything."""

    def send(self, chat_id, text, rows=None):
        raise KeyboardInterrupt("killed")


def test_a_run_killed_between_channels_loses_and_repeats_nothing(app, client, bot, make_user, centre):
    freeze(NOW)
    user = make_user(language="en")
    link_chat(app, client, user.id)
    book(app, user.id, make_slot(app))
    mailer = RecordingMailer()
    policy = delivery.RetryPolicy()
    with app.app_context():
        [message_id] = delivery.due_message_ids(db.session, NOW)
        with pytest.raises(KeyboardInterrupt):
            delivery.deliver(db.session, message_id, NOW, delivery.Channels(mailer, telegram=KilledTelegram()), policy)
        db.session.rollback()
    assert len(mailer.sent) == 1
    assert bot.calls("/sendMessage") == []
    real = TelegramSender(BotApi("123456:TEST", bot.url), Throttle())
    with app.app_context():  # the scheduler comes back, twice
        for _ in range(2):
            for message_id in delivery.due_message_ids(db.session, NOW):
                delivery.deliver(db.session, message_id, NOW, delivery.Channels(mailer, telegram=real), policy)
                db.session.commit()
        message = db.session.get(OutboxMessage, message_id)
        assert message.status == "sent"
    assert len(mailer.sent) == 1  # the e-mail was not sent again
    assert len(bot.calls("/sendMessage")) == 1
    assert bot.calls("/sendMessage")[0].json["chat_id"] == CHAT


def test_throttle_keeps_one_message_a_second_per_chat():
    now = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(round(seconds, 3))
        now[0] += seconds

    throttle = Throttle(clock=lambda: now[0], sleep=sleep)
    throttle.wait(1)
    throttle.wait(2)  # another chat: 1/30 s after the last
    throttle.wait(1)  # the same chat: a second after its last
    assert slept == [0.033, 0.967]


def test_set_webhook_command_registers_the_secret(app, bot):
    app.config["BASE_URL"] = "https://kezek.example.kz"
    result = app.test_cli_runner().invoke(args=["telegram", "set-webhook"])
    assert result.exit_code == 0, result.output
    [call] = bot.calls("/setWebhook")
    assert call.json["url"] == "https://kezek.example.kz/telegram/webhook"
    assert call.json["secret_token"] == app.config["TELEGRAM_WEBHOOK_SECRET"]


def test_profile_connects_telegram_with_a_link_and_its_qr_code(app, client, auth, bot, make_user):
    freeze(NOW)
    user = make_user(language="en")
    auth.login(user.email)
    assert "Connect Telegram" in client.get("/account/profile").get_data(as_text=True)
    page = submit_form(client, "/account/telegram/link", {}, page_url="/account/profile")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'href="https://t.me/KezekTestBot?start=' in html
    assert "<svg" in html
    assert "<title>QR code of the link to the Kezek bot</title>" in html
    assert client.post("/account/telegram/link").status_code == 400  # no CSRF token


def test_api_reads_and_chooses_channels_per_kind(app, client, make_user):
    from tests.messengers.conftest import bearer

    headers = bearer(app, make_user().id)
    state = client.get("/api/v1/me/channels", headers=headers).json
    assert state["choices"]["reminder-24h"] == ["email"]
    assert state["choices"]["reminder-2h"] == ["email", "sms"]
    assert state["choices"]["confirmation"] == ["email"]
    assert {"key": "reminder-2h", "topic": "reminders", "label": "Reminder two hours before the exam"} in state["kinds"]
    assert set(state["choices"]) == {kind["key"] for kind in state["kinds"]}
    assert state["telegram_linked"] is False
    # A topic (as clients sent before) stands for each of its kinds not given by key.
    chosen = {"reminders": ["sms"], "reminder-2h": ["sms", "email"], "confirmation": ["telegram"]}
    answer = client.put("/api/v1/me/channels", json={"choices": chosen}, headers=headers)
    assert answer.status_code == 200
    choices = answer.json["choices"]
    assert choices["reminder-24h"] == ["sms"]
    assert choices["reminder-2h"] == ["email", "sms"]
    assert choices["confirmation"] == ["telegram"]
    assert choices["appeal"] == []  # left out
    bad = client.put("/api/v1/me/channels", json={"choices": {"reminder-2h": ["pigeon"]}}, headers=headers)
    assert bad.status_code == 422
    unknown = client.put("/api/v1/me/channels", json={"choices": {"password-reset": ["email"]}}, headers=headers)
    assert unknown.status_code == 422
