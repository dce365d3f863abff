"""Delivery channels: e-mail over SMTP (or the console in development), SMS through a pluggable
gateway (the console in development)."""

from __future__ import annotations

import smtplib
import sys
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from typing import Protocol


class DeliveryError(Exception):
    """The channel did not take the message; it will be tried again later."""


class RetryLater(DeliveryError):
    """The service asked us to wait `retry_after` seconds (a rate limit, not a failure)."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class Unreachable(DeliveryError):
    """The channel cannot reach this person any more (the bot is blocked, the number is not on
    WhatsApp): the message goes by the next channel instead."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "text/calendar; method=REQUEST"
    content: bytes


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str
    message_id: str  # stable per outbox message: a retried delivery keeps the same id
    language: str
    attachments: list[Attachment] = field(default_factory=list)


class Mailer(Protocol):
    def send(self, email: Email) -> None: ...


class SmsGateway(Protocol):
    def send(self, phone: str, text: str) -> None: ...


def build_message(email: Email, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Message-ID"] = email.message_id
    message["Date"] = formatdate(localtime=False)
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    for attachment in email.attachments:
        maintype, _, rest = attachment.content_type.partition("/")
        subtype, _, params = rest.partition(";")
        extra = dict(part.strip().split("=", 1) for part in params.split(";") if "=" in part)
        message.add_attachment(
            attachment.content, maintype=maintype, subtype=subtype.strip(), filename=attachment.filename, params=extra
        )
    message["Content-Language"] = email.language  # after the body: setting content clears Content-* headers
    return message


@dataclass
class SmtpMailer:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    use_ssl: bool = False
    timeout: float = 10.0

    def send(self, email: Email) -> None:
        message = build_message(email, self.sender)
        client_class = smtplib.SMTP_SSL if self.use_ssl else smtplib.SMTP
        try:
            with client_class(self.host, self.port, timeout=self.timeout) as client:
                if self.use_tls:
                    client.starttls()
                if self.username:
                    client.login(self.username, self.password or "")
                client.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError(f"SMTP {self.host}:{self.port}: {error.__class__.__name__}: {error}") from error


@dataclass
class ConsoleMailer:
    """Development: print the message instead of sending it."""

    sender: str
    stream: object = None

    def send(self, email: Email) -> None:
        out = self.stream or sys.stdout
        print(f"--- e-mail {email.message_id} ---\nSubject: {email.subject}\n\n{email.text}\n", file=out, flush=True)


@dataclass
class ConsoleSms:
    stream: object = None

    def send(self, phone: str, text: str) -> None:
        out = self.stream or sys.stdout
        print(f"--- SMS to {phone[:4]}****{phone[-2:]} ---\n{text}\n", file=out, flush=True)


class NoSms:
    """SMS switched off: nothing to send, nothing fails."""

    def send(self, phone: str, text: str) -> None:
        return None


def mailer_from_config(config) -> Mailer:
    sender = config["MAIL_DEFAULT_SENDER"]
    if not config.get("MAIL_SERVER"):
        return ConsoleMailer(sender=sender)
    return SmtpMailer(
        host=config["MAIL_SERVER"],
        port=int(config["MAIL_PORT"]),
        sender=sender,
        username=config.get("MAIL_USERNAME") or None,
        password=config.get("MAIL_PASSWORD") or None,
        use_tls=bool(config.get("MAIL_USE_TLS")),
        use_ssl=bool(config.get("MAIL_USE_SSL")),
        timeout=float(config.get("MAIL_TIMEOUT", 10)),
    )


def sms_from_config(config) -> SmsGateway | None:
    """The SMS gateway, or None when SMS is off: `console` (development), `gateway` (Mobizon's HTTP
    API, app.notify.sms_gateway) or `none`."""
    backend = config.get("SMS_BACKEND", "console")
    if backend == "console":
        return ConsoleSms()
    if backend == "none":
        return None
    if backend == "gateway":
        from app.notify.sms_gateway import MobizonSms

        return MobizonSms(
            config["SMS_GATEWAY_URL"],
            config["SMS_GATEWAY_KEY"] or "",
            config["SMS_SENDER"] or "",
            int(config["SMS_GATEWAY_MAX_PARTS"]),
        )
    raise RuntimeError(f"unknown SMS_BACKEND {backend!r}")
