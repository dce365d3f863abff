"""The messages about an account: the password-reset link."""

from __future__ import annotations

from flask_babel import gettext as _

from app.notify import kinds
from app.notify.kinds import Content
from app.notify.models import OutboxMessage


def render_password_reset(message: OutboxMessage) -> Content:
    return Content(
        _("Reset your Kezek password"),
        [
            _("Someone asked to reset the password of your Kezek account. If it was not you, ignore this message."),
            _("The link works for one hour."),
        ],
        action=(_("Choose a new password"), (message.payload or {})["url"]),
    )


def register_kinds() -> None:
    # Not in the in-app list: the link works from the e-mail only, and an item without it is noise.
    kinds.register("password-reset", render_password_reset, listed=False)
