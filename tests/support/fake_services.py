"""Fake outside services for the messenger tests: real HTTP servers on 127.0.0.1 that record what
they receive and answer as scripted (the Telegram Bot API, WhatsApp's Graph API, an SMS gateway)."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self):
        return json.loads(self.body or b"null")

    @property
    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode("utf-8"))


@dataclass
class FakeService:
    """`ok` is the usual answer (status, JSON); `script` answers first, one each, in order.
    `delay`: seconds each request takes between its arrival (recorded in `received`, as by a
    provider that got the whole request and acts on it) and its answer."""

    ok: tuple[int, object]
    received: list[Received] = field(default_factory=list)
    script: deque = field(default_factory=deque)
    port: int = 0
    delay: float = 0.0

    def answer(self, status: int, body: object) -> None:
        self.script.append((status, body))

    def start(self) -> FakeService:
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                split = urlsplit(self.path)
                record = Received(
                    "POST", split.path, parse_qs(split.query), dict(self.headers.items()), self.rfile.read(length)
                )
                status, body = service.script.popleft() if service.script else service.ok
                service.received.append(record)
                time.sleep(service.delay)
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    self.wfile.flush()
                except OSError:  # the client is gone (killed while waiting): the request still counts
                    return

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def calls(self, suffix: str) -> list[Received]:
        return [r for r in self.received if r.path.endswith(suffix)]


def bot_api(delay: float = 0.0) -> FakeService:
    return FakeService(ok=(200, {"ok": True, "result": {"message_id": 1}}), delay=delay).start()


def graph_api() -> FakeService:
    return FakeService(ok=(200, {"messaging_product": "whatsapp", "messages": [{"id": "wamid.1"}]})).start()


def sms_gateway() -> FakeService:
    return FakeService(
        ok=(200, {"code": 0, "data": {"campaignId": "1", "messageId": "1", "status": 1}, "message": ""})
    ).start()


TOO_MANY = (
    429,
    {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    },
)
BLOCKED = (403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"})
