"""How pages show an IIN: masked where the full number is not needed, and a page that shows it in
full is never kept by a browser's cache or a proxy (`Cache-Control: no-store`).

Templates write a full IIN only through `full_iin`, which marks the response; staff pages show it
masked and in full on request, and `record_iin_shown` puts each such request in the audit log.
"""

from __future__ import annotations

from datetime import datetime
from functools import wraps
from typing import Any

from flask import Flask, g
from sqlalchemy.orm import Session

from app.audit import services as audit
from app.auth.iin import mask_iin
from app.auth.models import User
from app.core.acting import Acting


def forbid_storing() -> None:
    """This request's answer must not be stored anywhere on its way (it holds personal data)."""
    g.no_store = True


def no_store(view):
    """For views whose pages carry an IIN other than through `full_iin` (a form's value)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        forbid_storing()
        return view(*args, **kwargs)

    return wrapped


def full_iin(iin: str) -> str:
    forbid_storing()
    return iin


def record_iin_shown(session: Session, actor: User, subject: Any, now: datetime) -> None:
    """A staff member or admin asked to see the full IIN on `subject`'s page (a booking, an appeal)."""
    audit.record(Acting(session, actor, now), "iin-shown", subject)


def init_privacy(app: Flask) -> None:
    app.add_template_global(full_iin)
    app.add_template_global(mask_iin)

    @app.after_request
    def _no_store(response):
        if g.get("no_store"):
            response.headers["Cache-Control"] = "no-store"
        return response
