"""SMS through Mobizon's HTTP API (mobizon.kz, used widely in Kazakhstan): `SMS_BACKEND=gateway`.

One request per text: `POST {SMS_GATEWAY_URL}/service/Message/SendSmsMessage?output=json&api=v1
&apiKey={SMS_GATEWAY_KEY}` with the form fields `recipient` (the number in international form
without "+", 77011234567), `text` (UTF-8: Cyrillic and Kazakh letters go as they are, and the
gateway sends them in UCS-2) and `from` (`SMS_SENDER`, the approved alpha name). The answer is
JSON, `{"code": 0, "data": {"messageId": …}, "message": ""}`; any other code is an error.

Length: the gateway joins a long text into a concatenated SMS itself, up to a number of parts.
A part holds 153 GSM-7 characters, or 67 UCS-2 ones (any letter outside GSM-7, e.g. Cyrillic);
a text longer than `SMS_GATEWAY_MAX_PARTS` parts is split at spaces into several SMS."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from app.notify.senders import DeliveryError, RetryLater

# The GSM 03.38 basic alphabet (its extension table costs two places; treated as not GSM here).
GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


def part_size(text: str) -> int:
    """Characters per part of a concatenated SMS of this text."""
    return 153 if set(text) <= GSM7 else 67


def split(text: str, max_parts: int) -> list[str]:
    """The text as few SMS as the gateway's limit allows, cut at spaces where possible."""
    limit = part_size(text) * max_parts
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = rest.rfind(" ", 0, limit + 1)
        cut = cut if cut > limit // 2 else limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [*pieces, rest] if rest else pieces


@dataclass
class MobizonSms:
    base_url: str
    api_key: str
    sender: str = ""
    max_parts: int = 6
    timeout: float = 10.0

    def send(self, phone: str, text: str) -> None:
        for piece in split(text, self.max_parts):
            self._send_one(phone, piece)

    def _send_one(self, phone: str, text: str) -> None:
        url = f"{self.base_url.rstrip('/')}/service/Message/SendSmsMessage"
        params = {"output": "json", "api": "v1", "apiKey": self.api_key}
        form = {"recipient": phone.lstrip("+"), "text": text}
        if self.sender:
            form["from"] = self.sender
        try:
            response = httpx.post(url, params=params, data=form, timeout=self.timeout)
        except httpx.HTTPError as error:
            raise DeliveryError(f"SMS gateway: {error.__class__.__name__}") from error
        if response.status_code == 429:
            raise RetryLater("SMS gateway: 429", int(response.headers.get("Retry-After", "60")))
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200 or body.get("code") != 0:
            raise DeliveryError(
                f"SMS gateway: {response.status_code} code {body.get('code')} {body.get('message', '')}"
            )
