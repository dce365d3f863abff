"""The QR code on a confirmed booking's ticket: the ticket number and a signature (HMAC with the
site's SECRET_KEY, under a salt of its own), so staff scanning it know the code was issued here and
not typed up by anyone. The staff check-in field also takes a bare ticket number typed by hand."""

from __future__ import annotations

import io
import re

import segno
from itsdangerous import BadSignature, Signer

SALT = "kezek.ticket-qr"
# ALM-T-20261201-0042: centre, exam, local day, the day's running number (see holds._issue_ticket).
TICKET = re.compile(r"^[A-Z]{2,10}-[TP]-\d{8}-\d{4}$")


class BadTicketCode(ValueError):
    """A scanned code whose signature does not match (forged or altered), or text that is no ticket."""


def _signer(secret: str) -> Signer:
    return Signer(secret, salt=SALT)


def signed_code(ticket: str, secret: str) -> str:
    """What the QR code carries: `TICKET.signature`."""
    return _signer(secret).sign(ticket).decode()


def qr_png(ticket: str, secret: str, scale: int = 6) -> bytes:
    """The ticket's QR code as a PNG (medium error correction survives a crumpled print-out)."""
    out = io.BytesIO()
    segno.make(signed_code(ticket, secret), error="m").save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def ticket_from(text: str, secret: str) -> tuple[str, bool]:
    """(ticket number, whether it came signed) from a scanned code or a typed ticket number."""
    text = (text or "").strip()
    if "." in text:
        try:
            ticket = _signer(secret).unsign(text).decode()
        except BadSignature as error:
            raise BadTicketCode(text) from error
        return ticket, True
    ticket = text.upper()
    if not TICKET.match(ticket):
        raise BadTicketCode(text)
    return ticket, False
