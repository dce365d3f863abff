"""Channels chosen per kind of message: the profile's form in three languages, the defaults of each
kind, the outbox sending each kind by its own choice, and choices stored per topic before."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.booking import holds
from app.booking.models import Booking
from app.extensions import db
from app.jobs import tasks
from app.notify import channels
from app.notify.models import MessageSettings, OutboxMessage
from tests.conftest import submit_form
from tests.messengers.conftest import bearer, give_phone, link_chat, send
from tests.support.booking_support import NOW, POLICY, book, freeze, make_slot
from tests.support.pages import soup

EXAM = NOW + timedelta(days=2)  # make_slot's default time


def channels_of(app, kind: str) -> list[str] | None:
    with app.app_context():
        return db.session.scalar(sa.select(OutboxMessage.channels).where(OutboxMessage.kind == kind))


def remind(app, moment) -> None:
    freeze(moment)
    with app.app_context():
        tasks.run_in_context("queue-reminders")
    send(app)


def checked(page, key: str) -> set[str]:
    """The channels ticked for a kind on the profile page."""
    return {box["value"] for box in page.select(f'input[name="{key}"]') if box.has_attr("checked")}


def test_sms_chosen_for_the_day_before_reminder_goes_for_it_alone(app, client, auth, gateway, make_user, centre):
    freeze(NOW)
    user = make_user(language="en")
    give_phone(app, user.id)
    auth.login(user.email)
    # The two reminders share a topic: only a choice per kind can tell them apart.
    answer = submit_form(
        client,
        "/account/channels",
        {"reminder-24h": ["email", "sms"], "reminder-2h": ["email"], "confirmation": ["email"]},
        page_url="/account/profile",
    )
    assert answer.status_code == 302
    book(app, user.id, make_slot(app))
    send(app)
    assert channels_of(app, "confirmation") == ["email"]
    assert gateway.received == []  # no SMS for the confirmation
    remind(app, EXAM - timedelta(hours=24))
    assert channels_of(app, "reminder-24h") == ["email", "sms"]
    [sms] = gateway.received
    assert sms.form["text"][0].startswith("Kezek: Reminder")
    remind(app, EXAM - timedelta(hours=2))
    assert channels_of(app, "reminder-2h") == ["email"]  # its default SMS was not chosen
    assert len(gateway.received) == 1


def test_each_kind_has_its_own_defaults(app, client, auth, bot, make_user, centre):
    freeze(NOW)
    user = make_user(language="en")
    give_phone(app, user.id)
    auth.login(user.email)
    page = soup(client.get("/account/profile"))
    assert checked(page, "confirmation") == {"email"}
    assert checked(page, "reminder-24h") == {"email"}
    assert checked(page, "reminder-2h") == {"email", "sms"}  # the last reminder must not be missed
    assert checked(page, "slot-blocked") == {"email", "sms"}  # a change made by the centre
    assert checked(page, "round-won") == {"email", "sms"}
    assert checked(page, "appeal") == {"email"}
    link_chat(app, client, user.id)  # one messenger once linked
    page = soup(client.get("/account/profile"))
    assert checked(page, "confirmation") == {"email", "telegram"}
    assert checked(page, "waitlist-offer") == {"email", "telegram", "sms"}
    booking_id = book(app, user.id, make_slot(app))
    with app.app_context():
        holds.cancel(db.session, db.session.get(Booking, booking_id), NOW, POLICY)
        db.session.commit()
    send(app)
    assert channels_of(app, "confirmation") == ["email", "telegram"]
    assert channels_of(app, "cancellation") == ["email", "telegram", "sms"]
    assert len(bot.calls("/sendMessage")) == 2


def test_choices_stored_per_topic_before_still_hold_until_saved_again(app, client, auth, bot, make_user, centre):
    freeze(NOW)
    user = make_user(language="en")
    give_phone(app, user.id)
    link_chat(app, client, user.id)
    with app.app_context():  # a row as the profile stored it when choices were per topic
        settings = db.session.get(MessageSettings, user.id)
        settings.choices = {"reminders": ["sms"], "important": ["email"], "other": ["telegram"]}
        db.session.commit()
    auth.login(user.email)
    page = soup(client.get("/account/profile"))
    assert checked(page, "confirmation") == checked(page, "appeal") == {"telegram"}
    assert checked(page, "reminder-24h") == checked(page, "reminder-2h") == {"sms"}
    assert checked(page, "slot-blocked") == {"email"}
    state = client.get("/api/v1/me/channels", headers=bearer(app, user.id)).json
    assert state["choices"]["hold-expired"] == ["telegram"]
    assert state["choices"]["round-lost"] == ["email"]
    booking_id = book(app, user.id, make_slot(app))
    with app.app_context():
        holds.cancel(db.session, db.session.get(Booking, booking_id), NOW, POLICY)
        db.session.commit()
    send(app)
    assert channels_of(app, "confirmation") == ["telegram"]  # "other"
    assert channels_of(app, "cancellation") == ["email"]  # "important": not the default SMS
    # Saving the page stores a choice per kind and drops the topic rows.
    submit_form(client, "/account/channels", {"confirmation": ["email"]}, page_url="/account/profile")
    with app.app_context():
        choices = db.session.get(MessageSettings, user.id).choices
    assert not set(choices) & set(channels.TOPICS)
    assert choices["confirmation"] == ["email"]
    assert choices["appeal"] == []


SAVED = {
    "kk": "Арналарды таңдауыңыз сақталды.",
    "ru": "Ваш выбор каналов сохранён.",
    "en": "Your choice of channels is saved.",
}
HEADINGS = {
    "kk": ("Емтиханға екі сағат қалғанда еске салу", "Әділ жеребе: орын ұтып алынды"),
    "ru": ("Напоминание за два часа до экзамена", "Честная жеребьёвка: место выиграно"),
    "en": ("Reminder two hours before the exam", "Fair-release draw: a place won"),
}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_page_lists_every_kind_under_its_topic_and_saves(app, client, auth, make_user, language):
    user = make_user(language=language)
    auth.login(user.email)
    page = soup(client.get("/account/profile"))
    form = page.select_one("form.channel-choice")
    legends = [legend.get_text(strip=True) for legend in form.select("fieldset.channel-kind > legend")]
    assert set(HEADINGS[language]) <= set(legends)
    assert len(legends) == len(channels.shown(None))  # one fieldset per kind
    assert len(form.select("h3")) == 3  # the topics
    boxes = form.select("input[type=checkbox]")
    assert len(boxes) == 4 * len(legends)
    for box in boxes:  # every box has its own label
        assert form.select_one(f'label[for="{box["id"]}"]').get_text(strip=True)
    answer = submit_form(
        client,
        "/account/channels",
        {"reminder-2h": ["sms"], "exam-result": ["email", "pigeon"]},
        page_url="/account/profile",
        follow_redirects=True,
    )
    assert SAVED[language] in answer.get_data(as_text=True)
    page = soup(answer)
    assert checked(page, "reminder-2h") == {"sms"}
    assert checked(page, "exam-result") == {"email"}
    assert checked(page, "confirmation") == set()
    assert client.post("/account/channels", data={"reminder-2h": "sms"}).status_code == 400  # no CSRF token
