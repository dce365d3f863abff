"""The messages about an appeal: one kind per event of its life, `appeal-<event>`."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.notify import kinds
from app.notify.kinds import Content, link
from app.notify.models import OutboxMessage

APPEAL_EVENTS = {
    "received": _l("received"),
    "registered": _l("registered"),
    "referred": _l("referred to the competent centre"),
    "extended": _l("the term is extended"),
    "decided": _l("decided"),
    "withdrawn": _l("withdrawn"),
    "complaint-received": _l("your complaint is received"),
    "complaint-decided": _l("your complaint is decided"),
}


def render(message: OutboxMessage) -> Content | None:
    payload = message.payload or {}
    if "appeal" not in payload:
        return None
    event = message.kind.removeprefix("appeal-")
    return Content(
        _(
            "Your appeal %(number)s: %(event)s",
            number=payload.get("receipt_number", ""),
            event=APPEAL_EVENTS.get(event, event),
        ),
        [_("Open the appeal to see its status, its deadlines and any decision with its reasons.")],
        action=(_("Open the appeal"), link("appeals.detail", appeal_id=payload["appeal"])),
    )


def register_kinds() -> None:
    label = _l("News about your appeals: received, deadlines extended, decisions")
    kinds.register("appeal-", render, prefix=True, label=label)
