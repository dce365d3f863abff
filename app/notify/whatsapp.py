"""WhatsApp through the Cloud API (Meta's Graph API) over plain HTTP (httpx).

Messages a business starts must be approved templates: confirmations and reminders go as
"utility" templates, one per kind (`WHATSAPP_TEMPLATES`), in the person's language
(`WHATSAPP_LANGUAGES` maps kk/ru/en to the template's language code). The request is the one the
Cloud API documents: `POST {WHATSAPP_API_BASE_URL}/{WHATSAPP_PHONE_NUMBER_ID}/messages` with
`Authorization: Bearer {WHATSAPP_TOKEN}` and
`{"messaging_product": "whatsapp", "to": "77011234567", "type": "template", "template": {"name": …,
"language": {"code": …}, "components": [{"type": "body", "parameters": [{"type": "text", …}]}]}}`.

Plain HTTP rather than pywa: one POST is all the outbox needs, and pywa's client is built around a
webhook server of its own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from app.notify.senders import DeliveryError, RetryLater, Unreachable

# Graph API error codes: rate limits (wait), and a number that is not on WhatsApp (give up).
RATE_LIMIT_CODES = {4, 80007, 130429, 131048, 131056}
UNREACHABLE_CODES = {131026}


def template_payload(phone: str, template: str, language: str, params: list[str]) -> dict[str, Any]:
    body: dict[str, Any] = {"name": template, "language": {"code": language}}
    if params:
        body["components"] = [{"type": "body", "parameters": [{"type": "text", "text": str(p)} for p in params]}]
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": phone.lstrip("+"),
        "type": "template",
        "template": body,
    }


@dataclass
class WhatsAppSender:
    token: str
    phone_number_id: str
    base_url: str = "https://graph.facebook.com/v21.0"
    timeout: float = 10.0

    def send(self, phone: str, template: str, language: str, params: list[str]) -> None:
        url = f"{self.base_url.rstrip('/')}/{self.phone_number_id}/messages"
        payload = template_payload(phone, template, language, params)
        try:
            response = httpx.post(
                url, json=payload, headers={"Authorization": f"Bearer {self.token}"}, timeout=self.timeout
            )
        except httpx.HTTPError as error:
            raise DeliveryError(f"WhatsApp: {error.__class__.__name__}") from error
        if response.status_code == 200:
            return
        try:
            error = response.json().get("error") or {}
        except ValueError:
            error = {}
        description = f"WhatsApp: {response.status_code} code {error.get('code')} {error.get('message', '')}"
        if response.status_code == 429 or error.get("code") in RATE_LIMIT_CODES:
            raise RetryLater(description, 60)
        if error.get("code") in UNREACHABLE_CODES:
            raise Unreachable(description)
        raise DeliveryError(description)


def whatsapp_from_config(config) -> WhatsAppSender | None:
    if not (config.get("WHATSAPP_TOKEN") and config.get("WHATSAPP_PHONE_NUMBER_ID")):
        return None
    return WhatsAppSender(config["WHATSAPP_TOKEN"], config["WHATSAPP_PHONE_NUMBER_ID"], config["WHATSAPP_API_BASE_URL"])
