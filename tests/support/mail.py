"""Mail in tests: a real SMTP server (`smtp` fixture), running the outbox, and the links in messages."""

from __future__ import annotations

import re
import threading
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from tests.support.servers import free_port


class Inbox:
    """aiosmtpd handler: keeps every message it accepts."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def up(self):
        """Start the server (again) on the same port."""
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def down(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(app):
    """A real SMTP server on 127.0.0.1 that the app's outbox sends to; `.messages` holds what arrived."""
    inbox = Inbox()
    inbox.port, inbox.controller = free_port(), None
    inbox.up()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=inbox.port, SMS_BACKEND="none")
    yield inbox
    inbox.down()


def send_outbox(app) -> str:
    """Run the outbox job once, as the scheduler does."""
    from app.jobs import tasks

    with app.app_context():
        return tasks.run_in_context("send-outbox")


def text_of(message) -> str:
    """The plain-text part of a received e-mail."""
    return next(part for part in message.walk() if part.get_content_type() == "text/plain").get_content()


def link_in(message) -> str:
    """The path of the (only) link to this site in a received e-mail's text."""
    found = re.search(r"https?://[^/\s]+(/\S+)", text_of(message))
    assert found is not None, "the message holds no link"
    return found.group(1)


def registration_link(app, email: str) -> str:
    """The path of the newest registration link queued for `email` (read from the outbox)."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.notify.models import OutboxMessage

    with app.app_context():
        payload = db.session.scalar(
            sa.select(OutboxMessage.payload)
            .where(OutboxMessage.kind == "registration-confirm", OutboxMessage.to_email == email.strip().lower())
            .order_by(OutboxMessage.id.desc())
        )
    assert payload is not None, f"no registration link was queued for {email}"
    return re.sub(r"^https?://[^/]+", "", payload["url"])


def confirm_registration(client, app, email: str):
    """Open the registration link sent to `email` and press its button; returns the answer."""
    from tests.conftest import submit_form

    return submit_form(client, registration_link(app, email), {})
