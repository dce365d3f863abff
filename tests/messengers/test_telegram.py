"""Telegram: linking by /start, one message per event in the person's language, buttons that
cancel a booking through the site's own service, and nothing done by forged or stale presses."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from app.auth.models import User
from app.booking.models import Booking
from app.core import clock
from app.extensions import db
from app.jobs import tasks
from app.notify import actions
from app.notify.models import MessageSettings, OutboxMessage
from tests.messengers.conftest import CHAT, SECRET, bearer, link_chat, press, start, webhook
from tests.support.booking_support import NOW, book, booking_state, freeze, make_slot, slot_booked
from tests.support.fake_services import BLOCKED, TOO_MANY


def send(app) -> str:
    with app.app_context():
        return tasks.send_outbox(db.session, clock.utcnow())


def _buttons(call) -> list[dict]:
    return [button for row in call.json.get("reply_markup", {}).get("inline_keyboard", []) for button in row]


def test_a_link_binds_the_chat_once_and_expires(app, client, bot, make_user):
    freeze(NOW)
    user = make_user(language="ru")
    answer = client.post("/api/v1/me/telegram/link", headers=bearer(app, user.id))
    assert answer.status_code == 200
    url = answer.json["url"]
    assert re.fullmatch(r"https://t\.me/KezekTestBot\?start=[A-Za-z0-9_-]{20,64}", url)
    token = url.split("start=")[1]
    bound = start(client, CHAT, token, language="en")
    assert bound.status_code == 200
    assert bound.json["method"] == "sendMessage"
    assert bound.json["chat_id"] == CHAT
    assert "/stop" in bound.json["text"]
    assert "Kezek" in bound.json["text"]
    assert "Готово" in bound.json["text"]  # in the account's language, not the chat's
    with app.app_context():
        assert db.session.get(MessageSettings, user.id).telegram_chat_id == CHAT
    # Single use: the same link from another chat binds nothing.
    again = start(client, CHAT + 1, token)
    assert "not valid" in again.json["text"]
    # An expired link binds nothing either.
    other = make_user()
    late = client.post("/api/v1/me/telegram/link", headers=bearer(app, other.id)).json["url"].split("start=")[1]
    freeze(NOW + timedelta(minutes=16))
    assert "not valid" in start(client, CHAT + 2, late).json["text"]
    with app.app_context():
        assert db.session.get(MessageSettings, other.id) is None
    # /stop unlinks.
    stop = webhook(
        client,
        {"update_id": 9, "message": {"message_id": 2, "chat": {"id": CHAT}, "from": {"id": CHAT}, "text": "/stop"}},
    )
    assert "unlinked" in stop.json["text"] or "отвязан" in stop.json["text"]
    with app.app_context():
        assert db.session.get(MessageSettings, user.id).telegram_chat_id is None


def test_wrong_secret_is_refused_and_changes_nothing(app, client, bot, make_user):
    freeze(NOW)
    user = make_user()
    token = client.post("/api/v1/me/telegram/link", headers=bearer(app, user.id)).json["url"].split("start=")[1]
    update = {"update_id": 1, "message": {"message_id": 1, "chat": {"id": CHAT}, "text": f"/start {token}"}}
    assert webhook(client, update, secret="wrong").status_code == 403
    assert client.post("/telegram/webhook", json=update).status_code == 403
    with app.app_context():
        assert db.session.get(MessageSettings, user.id) is None
    assert webhook(client, update, secret=SECRET).status_code == 200  # the token was not used up


def test_book_remind_and_cancel_from_the_chat(app, client, bot, make_user, centre):
    app.config["BOOKING_CHANGE_CUTOFF_HOURS"] = 2
    freeze(NOW)
    user = make_user(language="ru")
    link_chat(app, client, user.id)
    slot = make_slot(app)
    booking_id = book(app, user.id, slot)
    send(app)
    sent = bot.calls("/sendMessage")
    assert len(sent) == 1  # the confirmation, once
    assert sent[0].json["chat_id"] == CHAT
    assert "Ваш экзамен забронирован" in sent[0].json["text"]
    assert sent[0].path == "/bot123456:TEST/sendMessage"
    send(app)
    assert len(bot.calls("/sendMessage")) == 1  # not again

    freeze(NOW + timedelta(days=1))  # 24 h before the exam
    with app.app_context():
        tasks.run_in_context("queue-reminders")
    send(app)
    reminder = bot.calls("/sendMessage")[-1]
    assert "Напоминание" in reminder.json["text"]
    labels = {b["text"]: b for b in _buttons(reminder)}
    assert {"Я приду", "Отменить запись"} <= set(labels)
    cancel_data = labels["Отменить запись"]["callback_data"]
    assert len(cancel_data.encode()) <= 64
    assert str(user.id) not in cancel_data.split(".")[2]

    # "Cancel the booking": asked again, nothing changed yet.
    answer = press(client, CHAT, cancel_data)
    assert answer.json == {"method": "answerCallbackQuery", "callback_query_id": f"q{CHAT}"}
    question = bot.calls("/sendMessage")[-1]
    assert "Отменить" in question.json["text"]
    assert booking_state(app, booking_id)["status"] == "confirmed"
    yes = next(b for b in _buttons(question) if b["text"] == "Да, отменить")
    assert slot_booked(app, slot) == 1
    press(client, CHAT, yes["callback_data"])
    assert booking_state(app, booking_id)["status"] == "cancelled"
    assert slot_booked(app, slot) == 0  # the place is free again
    assert "отменена" in bot.calls("/sendMessage")[-1].json["text"]
    # The same button again: the booking is no longer active, an alert, nothing changes.
    stale = press(client, CHAT, yes["callback_data"])
    assert stale.json["show_alert"] is True
    assert booking_state(app, booking_id)["events"].count("cancelled") == 1


def test_forged_and_foreign_buttons_change_nothing(app, client, bot, make_user, centre):
    app.config["BOOKING_CHANGE_CUTOFF_HOURS"] = 2
    freeze(NOW)
    owner, stranger = make_user(language="en"), make_user(language="en")
    link_chat(app, client, owner.id, CHAT)
    link_chat(app, client, stranger.id, CHAT + 1)
    booking_id = book(app, owner.id, make_slot(app))
    with app.app_context():
        genuine = actions.sign(owner.id, "cancel-yes", booking_id)
    name, ref, mac = genuine.split(".")
    forged = [
        f"{name}.{ref}.{'A' * len(mac)}",  # a made-up signature
        f"{name}.{int(ref) + 1}.{mac}",  # another booking under the same signature
        "cancel-yes.1",  # no signature at all
    ]
    for data in forged:
        answer = press(client, CHAT, data)
        assert answer.json["method"] == "answerCallbackQuery"
        assert answer.json["show_alert"] is True
    # The genuine button pressed in another person's chat: theirs is another account.
    assert press(client, CHAT + 1, genuine).json["show_alert"] is True
    # …and in a chat linked to nobody.
    assert press(client, CHAT + 99, genuine).json["show_alert"] is True
    assert booking_state(app, booking_id)["status"] == "confirmed"
    assert bot.calls("/sendMessage") == []


def test_too_many_requests_waits_retry_after_then_delivers_once(app, client, bot, make_user, centre):
    freeze(NOW)
    user = make_user(language="en")
    link_chat(app, client, user.id)
    bot.answer(*TOO_MANY)
    book(app, user.id, make_slot(app))
    send(app)
    assert len(bot.calls("/sendMessage")) == 1  # answered 429
    with app.app_context():
        message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == "confirmation"))
        assert message.status == "pending"
        assert message.attempts == 0  # a rate limit is no failure
        assert message.due_at == NOW + timedelta(seconds=7)
        assert message.email_sent_at is not None  # e-mail went meanwhile
    app.extensions.pop("kezek_telegram", None)  # a restarted scheduler: no pause remembered
    freeze(NOW + timedelta(seconds=6))
    send(app)
    assert len(bot.calls("/sendMessage")) == 1  # not before retry_after
    freeze(NOW + timedelta(seconds=7))
    send(app)
    send(app)
    assert len(bot.calls("/sendMessage")) == 2  # the one retry, delivered once
    with app.app_context():
        assert db.session.scalar(sa.select(OutboxMessage.status).where(OutboxMessage.kind == "confirmation")) == "sent"


def test_a_blocked_bot_unlinks_the_chat_and_falls_back(app, client, bot, make_user, centre):
    freeze(NOW)
    user = make_user(language="en")
    with app.app_context():
        account = db.session.get(User, user.id)
        account.phone = "+77011234567"
        db.session.commit()
    app.config["SMS_BACKEND"] = "none"
    link_chat(app, client, user.id)
    bot.answer(*BLOCKED)
    book(app, user.id, make_slot(app))
    send(app)
    with app.app_context():
        settings = db.session.get(MessageSettings, user.id)
        assert settings.telegram_chat_id is None
        message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == "confirmation"))
        assert message.status == "sent"
        assert message.channels == ["email"]
        assert "blocked" in message.channel_errors["telegram"]


def test_booking_ids_stay_with_their_owner(app, make_user, centre):
    """The signed data names no account: it is checked against the chat's account."""
    freeze(NOW)
    with app.app_context():
        data = actions.sign(1, "come", 5)
        assert actions.verify(data, 1) == ("come", 5)
        assert actions.verify(data, 2) is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 0


def test_waitlist_offer_takes_the_place_and_links_to_confirm(app, client, bot, make_user, centre):
    from app.booking import holds, waitlist
    from tests.support.booking_support import POLICY, run

    freeze(NOW)
    first, waiting = make_user(language="en"), make_user(language="en")
    link_chat(app, client, waiting.id)
    slot = make_slot(app, capacity=1)
    booking_id = book(app, first.id, slot)
    run(app, lambda s: waitlist.join_waitlist(s, s.get(User, waiting.id), slot, NOW, POLICY, whole_day=False))
    run(app, lambda s: holds.cancel(s, s.get(Booking, booking_id), NOW, POLICY))
    send(app)
    offer = next(c for c in bot.calls("/sendMessage") if c.json["chat_id"] == CHAT)
    take = next(b for b in _buttons(offer) if b["text"] == "Take this place")
    assert press(client, CHAT, take["callback_data"]).json["method"] == "answerCallbackQuery"
    reply = bot.calls("/sendMessage")[-1]
    assert "held for you until" in reply.json["text"]
    [link] = [b for b in _buttons(reply) if "url" in b]
    assert link["text"] == "Confirm the place"
    assert "/booking" in link["url"]
    # Once the hold is gone, the same button only answers with an alert.
    freeze(NOW + timedelta(hours=2))
    assert press(client, CHAT, take["callback_data"]).json["show_alert"] is True


def test_i_will_come_answers_and_changes_nothing(app, client, bot, make_user, centre):
    freeze(NOW)
    user = make_user(language="kk")
    link_chat(app, client, user.id)
    booking_id = book(app, user.id, make_slot(app))
    with app.app_context():
        data = actions.sign(user.id, "come", booking_id)
    press(client, CHAT, data)
    assert "Рақмет" in bot.calls("/sendMessage")[-1].json["text"]
    assert booking_state(app, booking_id)["status"] == "confirmed"
