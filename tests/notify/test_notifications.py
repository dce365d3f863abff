"""Notifications reach people exactly once: a real SMTP server (aiosmtpd) receives them, even
when the sender runs twice or in parallel, crashes, or the mail server is down for a while."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from app.auth.models import User
from app.core import clock
from app.extensions import db
from app.jobs import tasks
from app.notify import delivery
from app.notify.models import OutboxMessage
from app.notify.senders import DeliveryError, SmtpMailer
from tests.support.booking_support import NOW, book, freeze, make_slot
from tests.support.servers import free_port


@pytest.fixture
def confirmed(app, make_user, centre):
    """A confirmed booking of a Russian-speaking applicant (its confirmation is queued)."""
    freeze(NOW)
    user = make_user(language="ru", full_name="Дана Серік")
    slot = make_slot(app)
    return book(app, user.id, slot)


def send(app) -> str:
    with app.app_context():
        return tasks.run_in_context("send-outbox")


def statuses(app) -> dict[str, str]:
    with app.app_context():
        return dict(db.session.execute(sa.select(OutboxMessage.kind, OutboxMessage.status)).all())


def test_confirmation_is_sent_once_in_the_recipients_language_with_the_calendar(app, smtp, confirmed):
    send(app)
    send(app)  # a second run finds nothing to send
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["Subject"].startswith("Ваш экзамен забронирован")
    assert message["Content-Language"] == "ru"
    assert message["Message-ID"].startswith("<outbox-")
    parts = {part.get_content_type(): part for part in message.walk()}
    assert "Дана Серік" in parts["text/plain"].get_content()
    assert "<html" in parts["text/html"].get_content()
    calendar = Calendar.from_ical(parts["text/calendar"].get_payload(decode=True))
    assert str(calendar["METHOD"]) == "REQUEST"
    assert statuses(app) == {"confirmation": "sent"}


def test_two_senders_at_once_send_each_message_once(app, app_factory, smtp, make_user, centre):
    freeze(NOW)
    slot = make_slot(app, capacity=30)
    for _ in range(12):
        book(app, make_user().id, slot)
    other = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, SMS_BACKEND="none")
    errors = []

    def sender(application):
        try:
            send(application)
        except Exception as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=sender, args=(application,)) for application in (app, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert len(smtp.messages) == 12
    assert len({message["Message-ID"] for message in smtp.messages}) == 12


def test_smtp_down_retries_with_back_off_then_delivers(app, smtp, confirmed):
    smtp.down()  # the mail server goes down
    send(app)
    with app.app_context():
        message = db.session.scalar(sa.select(OutboxMessage))
        assert (message.status, message.attempts) == ("pending", 1)
        assert message.due_at == NOW + timedelta(seconds=60)
        assert "SMTP" in message.last_error
    freeze(NOW + timedelta(seconds=30))
    send(app)  # not due yet: no attempt
    freeze(NOW + timedelta(seconds=61))
    send(app)
    with app.app_context():
        message = db.session.scalar(sa.select(OutboxMessage))
        assert (message.attempts, message.due_at) == (2, NOW + timedelta(seconds=61 + 120))
    smtp.up()  # back again
    freeze(NOW + timedelta(seconds=61 + 120))
    send(app)
    assert len(smtp.messages) == 1
    assert statuses(app) == {"confirmation": "sent"}


@pytest.mark.parametrize(("attempts", "seconds"), [(1, 60), (2, 120), (3, 240), (6, 1920), (7, 3600), (12, 3600)])
def test_back_off_doubles_up_to_a_cap(attempts, seconds):
    assert delivery.RetryPolicy(8, 60, 3600).delay(attempts) == timedelta(seconds=seconds)


def test_gives_up_after_the_last_attempt_and_an_admin_can_retry(app, smtp, confirmed, client, auth, make_user):
    from app.auth.models import Role

    app.config["OUTBOX_MAX_ATTEMPTS"] = 2
    smtp.down()
    send(app)
    freeze(NOW + timedelta(minutes=5))
    send(app)
    assert statuses(app) == {"confirmation": "failed"}
    smtp.up()
    admin = make_user(role=Role.ADMIN)
    auth.login(admin.email)
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "confirmation" in page
    assert "SMTP" in page
    with app.app_context():
        message_id = db.session.scalar(sa.select(OutboxMessage.id))
    from tests.conftest import submit_form

    assert submit_form(client, f"/admin/outbox/{message_id}/retry", {}, page_url="/admin/jobs").status_code == 302
    send(app)
    assert len(smtp.messages) == 1


class CrashingMailer:
    """Delivers the first `good` messages, then the process 'dies' (an exception that is no
    DeliveryError, as a kill would leave the transaction uncommitted)."""

    def __init__(self, real, good: int):
        self.real, self.good = real, good

    def send(self, email):
        if self.good == 0:
            raise KeyboardInterrupt("killed")
        self.good -= 1
        self.real.send(email)


def test_a_crash_mid_job_loses_and_duplicates_nothing(app, smtp, make_user, centre):
    freeze(NOW)
    slot = make_slot(app, capacity=10)
    for _ in range(5):
        book(app, make_user().id, slot)
    real = SmtpMailer("127.0.0.1", smtp.port, "Kezek <no-reply@kezek.kz>")
    with app.app_context():
        policy = delivery.RetryPolicy.from_config(app.config)
        crashing = delivery.Channels(CrashingMailer(real, good=2))

        def send_every_due_message():
            for message_id in delivery.due_message_ids(db.session, NOW):
                delivery.deliver(db.session, message_id, NOW, crashing, policy)
                db.session.commit()

        with pytest.raises(KeyboardInterrupt):
            send_every_due_message()
        db.session.rollback()
    assert len(smtp.messages) == 2
    send(app)  # the scheduler comes back
    assert len(smtp.messages) == 5
    assert len({m["Message-ID"] for m in smtp.messages}) == 5


def test_reminders_are_queued_once_and_sent_within_two_minutes(app, smtp, make_user, centre):
    freeze(NOW)
    user = make_user(language="kk")
    slot = make_slot(app)  # Thursday 3 December 09:00 Almaty = 04:00 UTC
    book(app, user.id, slot)
    send(app)  # the confirmation
    exam = NOW + timedelta(days=2)
    for moment, expected in [
        (exam - timedelta(hours=24, minutes=1), []),
        (exam - timedelta(hours=24), ["reminder-24h"]),
        (exam - timedelta(hours=23), []),
        (exam - timedelta(hours=2), ["reminder-2h"]),
        (exam - timedelta(minutes=30), []),
    ]:
        freeze(moment)
        before = len(smtp.messages)
        with app.app_context():
            tasks.run_in_context("queue-reminders")
            tasks.run_in_context("queue-reminders")  # twice: still one of each
        send(app)
        sent = [m["Subject"] for m in smtp.messages[before:]]
        assert len(sent) == len(expected), (moment, sent)
        assert all(subject.startswith("Еске салу") for subject in sent)  # in Kazakh, the applicant's language
    assert statuses(app) == {"confirmation": "sent", "reminder-24h": "sent", "reminder-2h": "sent"}


def test_the_reminder_job_reports_how_many_it_queued(app, make_user, centre):
    """The count comes from the rows inserted (PostgreSQL reported -1 for the INSERT … SELECT)."""
    freeze(NOW)
    slot = make_slot(app)  # in two days
    for _ in range(3):
        book(app, make_user().id, slot)
    freeze(NOW + timedelta(days=1))  # 24 h before
    with app.app_context():
        assert tasks.run_in_context("queue-reminders") == "3 reminders queued"
        assert tasks.run_in_context("queue-reminders") == "0 reminders queued"  # already queued


def test_reminder_for_a_cancelled_booking_is_not_sent(app, smtp, confirmed):
    from app.booking import holds
    from app.booking.models import Booking
    from tests.support.booking_support import POLICY

    send(app)
    freeze(NOW + timedelta(days=1, hours=1))  # 23 h before the exam
    with app.app_context():
        tasks.run_in_context("queue-reminders")
        booking = db.session.get(Booking, confirmed)
        holds.cancel(db.session, booking, NOW, POLICY)  # cancelled after the reminder was queued
        db.session.commit()
    send(app)
    assert statuses(app)["reminder-24h"] == "cancelled"


def test_a_message_whose_booking_was_removed_by_hand_is_cancelled_not_sent(app, smtp, confirmed):
    """The outbox keeps booking and person ids without foreign keys (migration 0023): a booking
    deleted outside the app leaves its message, which the sender cancels instead of failing on it."""
    from app.booking.models import Booking

    with app.app_context():
        db.session.execute(sa.delete(Booking).where(Booking.id == confirmed))
        db.session.commit()
    send(app)
    assert smtp.messages == []
    assert statuses(app) == {"confirmation": "cancelled"}


def test_sms_goes_to_people_with_a_phone_for_changes_they_must_not_miss(app, smtp, make_user, centre):
    from app.booking import holds
    from app.booking.models import Booking
    from tests.support.booking_support import POLICY

    texts = []

    class Gateway:
        def send(self, phone, text):
            texts.append((phone, text))

    freeze(NOW)
    user = make_user(language="en")
    with app.app_context():
        db.session.get(User, user.id).phone = "+77011234567"
        db.session.commit()
    booking_id = book(app, user.id, make_slot(app))
    with app.app_context():
        holds.cancel(db.session, db.session.get(Booking, booking_id), NOW, POLICY)
        db.session.commit()
        channels = delivery.Channels(SmtpMailer("127.0.0.1", smtp.port, "k@kezek.kz"), Gateway())
        for message_id in delivery.due_message_ids(db.session, NOW):
            delivery.deliver(db.session, message_id, NOW, channels, delivery.RetryPolicy())
            db.session.commit()
    assert len(smtp.messages) == 2  # confirmation and cancellation by e-mail
    assert len(texts) == 1
    assert texts[0][0] == "+77011234567"
    assert "cancelled" in texts[0][1]
    cancel_mail = next(m for m in smtp.messages if "cancelled" in m["Subject"])
    ics = next(p for p in cancel_mail.walk() if p.get_content_type() == "text/calendar")
    assert str(Calendar.from_ical(ics.get_payload(decode=True))["METHOD"]) == "CANCEL"


def test_in_app_list_shows_own_messages_and_marks_them_read(app, client, auth, make_user, centre, confirmed):
    with app.app_context():
        owner = db.session.scalar(sa.select(OutboxMessage.user_id))
        email = db.session.get(User, owner).email
    other = make_user()
    auth.login(other.email)
    assert "No notifications yet" in client.get("/notifications").get_data(as_text=True)
    auth.logout()
    auth.login(email)
    html = client.get("/notifications").get_data(as_text=True)
    assert "Ваш экзамен забронирован" in html
    assert "message--unread" in html
    assert "message--unread" not in client.get("/notifications").get_data(as_text=True)


def test_delivery_error_wraps_smtp_failures():
    mailer = SmtpMailer("127.0.0.1", free_port(), "k@kezek.kz", timeout=2)
    from app.notify.senders import Email

    with pytest.raises(DeliveryError):
        mailer.send(Email("a@example.kz", "s", "t", "<p>h</p>", "<x@kezek.kz>", "en"))
    assert clock.utcnow() is not None


def test_block_and_result_messages_read_well(app, smtp, make_user, centre):
    from app.booking import results
    from app.booking.models import Booking, Slot
    from app.core.acting import Acting
    from app.staff import slots
    from tests.support.booking_support import POLICY

    freeze(NOW)
    user = make_user(language="en")
    slot_id = make_slot(app)
    booking_id = book(app, user.id, slot_id)
    with app.app_context():
        slots.block_slot(
            Acting(db.session, None, NOW, POLICY), db.session.get(Slot, slot_id), "examiner is ill", audited=False
        )
        db.session.commit()
    other = book(
        app, make_user(language="en").id, make_slot(app, starts=NOW - timedelta(hours=3)), now=NOW - timedelta(days=2)
    )
    with app.app_context():
        results.record_result(db.session, db.session.get(Booking, other), True, NOW)
        db.session.commit()
    send(app)
    subjects = [message["Subject"] for message in smtp.messages]
    assert any(subject.startswith("Your exam at") and "cancelled by the centre" in subject for subject in subjects)
    assert "Your exam result: passed" in subjects
    blocked = next(m for m in smtp.messages if "cancelled by the centre" in m["Subject"])
    assert "examiner is ill" in blocked.get_body(("plain",)).get_content()
    assert booking_id


def test_appeal_messages_name_the_receipt(app, smtp, make_user, centre):
    from app.notify.services import queue_message

    user = make_user(language="en")
    with app.app_context():
        queue_message(
            db.session,
            kind="appeal-received",
            user=db.session.get(User, user.id),
            key="appeal:7:received",
            payload={"appeal": 7, "receipt_number": "APL-ALM-2026-000007"},
        )
        db.session.commit()
    send(app)
    assert [m["Subject"] for m in smtp.messages] == ["Your appeal APL-ALM-2026-000007: received"]
    assert "/appeals/7" in smtp.messages[0].get_body(("plain",)).get_content()


def test_a_feature_registers_how_its_kind_reads_and_whether_it_goes_by_sms(app, smtp, make_user, centre):
    """notify sends kinds it knows nothing about: the feature that queues one renders it."""
    from app.notify import kinds
    from app.notify.content import compose
    from app.notify.services import queue_message

    # (The registry outlives the app, as a feature's registration does: the name is the test's own.)
    kinds.register(
        "test-greeting", lambda message: kinds.Content("Hello", [message.payload["text"]], sms="Kezek: hello"), sms=True
    )
    user = make_user(language="en")
    with app.app_context():
        queue_message(
            db.session,
            kind="test-greeting",
            user=db.session.get(User, user.id),
            key="greeting:1",
            payload={"text": "Welcome"},
        )
        db.session.commit()
        message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == "test-greeting"))
        message.user.phone = "+77011234567"
        composed = compose(message)
        assert (composed.email.subject, composed.sms) == ("Hello", ("+77011234567", "Kezek: hello"))
        assert "Welcome" in composed.email.text
        # A kind nobody registered still reads as what its payload says.
        message.kind = "nobody-registered-this"
        assert compose(message).email.subject == "News from Kezek"
