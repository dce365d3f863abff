"""Helpers shared by several test modules (moved from test_notifications.py)."""

from __future__ import annotations

import threading
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


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
