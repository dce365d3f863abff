"""The Telegram Bot API over plain HTTP (httpx), and the Telegram channel of the outbox.

Plain HTTP rather than python-telegram-bot: that library is asynchronous throughout (every call a
coroutine, its own event loop and HTTP pool), while the app and the scheduler are synchronous and
need four methods (sendMessage, answerCallbackQuery, setWebhook, getMe) with their errors mapped
to the outbox's: a 429 says when to come back (`parameters.retry_after`), a 403 means the person
blocked the bot. The base URL is a setting, so tests talk to a fake Bot API on 127.0.0.1.

Rate limits (Telegram: about 30 messages a second overall, one a second per chat) are kept by
`Throttle` in the one process that sends (the scheduler's leader)."""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from app.notify.senders import DeliveryError, RetryLater, Unreachable


@dataclass
class BotApi:
    token: str
    base_url: str = "https://api.telegram.org"
    timeout: float = 10.0

    def call(self, method: str, payload: dict[str, Any]) -> Any:
        url = f"{self.base_url.rstrip('/')}/bot{self.token}/{method}"
        try:
            response = httpx.post(url, json=payload, timeout=self.timeout)
        except httpx.HTTPError as error:
            raise DeliveryError(f"Telegram {method}: {error.__class__.__name__}") from error
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code == 200 and body.get("ok"):
            return body.get("result")
        description = f"Telegram {method}: {response.status_code} {body.get('description', '')}".strip()
        if response.status_code == 429:
            retry_after = int((body.get("parameters") or {}).get("retry_after") or 1)
            raise RetryLater(description, retry_after)
        if response.status_code == 403 or (
            response.status_code == 400 and "chat not found" in str(body.get("description", ""))
        ):
            raise Unreachable(description)
        raise DeliveryError(description)


@dataclass
class Throttle:
    """At most `per_second` messages a second overall and one a second per chat; after a 429 the
    whole channel pauses for its `retry_after`."""

    per_second: float = 30.0
    per_chat_seconds: float = 1.0
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _last: float = -1e9
    _chats: dict[int, float] = field(default_factory=dict)
    paused_until: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, chat_id: int) -> None:
        with self._lock:
            now = self.clock()
            if now < self.paused_until:
                raise RetryLater("Telegram asked to wait", int(self.paused_until - now) + 1)
            ready = max(self._last + 1 / self.per_second, self._chats.get(chat_id, -1e9) + self.per_chat_seconds)
            if ready > now:
                self.sleep(ready - now)
                now = ready
            self._last = self._chats[chat_id] = now

    def pause(self, seconds: int) -> None:
        with self._lock:
            self.paused_until = max(self.paused_until, self.clock() + seconds)


def message_text(subject: str, paragraphs: list[str], facts: list[tuple[str, str]]) -> str:
    """The message as Telegram HTML: the subject in bold, the paragraphs, the facts."""
    parts = [f"<b>{html.escape(subject)}</b>", *(html.escape(str(p)) for p in paragraphs)]
    if facts:
        parts.append("\n".join(f"{html.escape(str(label))}: {html.escape(str(value))}" for label, value in facts))
    return "\n\n".join(parts)


def keyboard(rows: list[list[dict[str, str]]]) -> dict[str, Any] | None:
    return {"inline_keyboard": rows} if rows else None


@dataclass
class TelegramSender:
    api: BotApi
    throttle: Throttle = field(default_factory=Throttle)

    def send(self, chat_id: int, text: str, rows: list[list[dict[str, str]]] | None = None) -> None:
        self.throttle.wait(chat_id)
        payload: dict[str, Any] = {"chat_id": chat_id, "text": text, "parse_mode": "HTML"}
        if markup := keyboard(rows or []):
            payload["reply_markup"] = markup
        try:
            self.api.call("sendMessage", payload)
        except RetryLater as error:
            self.throttle.pause(error.retry_after)
            raise


def bot_api_from_config(config) -> BotApi | None:
    if not config.get("TELEGRAM_BOT_TOKEN"):
        return None
    return BotApi(config["TELEGRAM_BOT_TOKEN"], config["TELEGRAM_API_BASE_URL"], config["TELEGRAM_TIMEOUT"])


def telegram_from_config(config) -> TelegramSender | None:
    api = bot_api_from_config(config)
    return TelegramSender(api) if api is not None else None
