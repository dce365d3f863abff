"""The kinds of message the outbox sends, each registered by the feature that queues it.

A feature tells notify how to render a kind (subject, paragraphs, action link …) and whether it
also goes by SMS, so that notify sends anything without knowing what bookings or appeals are.
Features register when the app is built (`app.create_app`), so the web app and the scheduler's
process alike know every kind before they send one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from flask import current_app, url_for

from app.notify.models import OutboxMessage
from app.notify.senders import Attachment


@dataclass
class Content:
    subject: str
    paragraphs: list[str]
    action: tuple[str, str] | None = None  # (label, absolute URL)
    facts: list[tuple[str, str]] = field(default_factory=list)
    sms: str | None = None
    # The number the SMS goes to when not the account's own (a number being confirmed).
    sms_to: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    # Telegram: rows of inline buttons under the message (app.notify.actions signs their data).
    buttons: list[list[Button]] = field(default_factory=list)
    # WhatsApp: the parameters of the kind's template body, in order ({{1}}, {{2}} …).
    template_params: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Button:
    """An inline button: an action registered with app.notify.actions (on `ref`, e.g. a booking
    id), or a plain link when `url` is set."""

    label: str
    action: str = ""
    ref: int = 0
    url: str | None = None


# None: nothing of its own to say (the payload lacks what it needs); a generic notice goes instead.
Render = Callable[[OutboxMessage], Content | None]


@dataclass(frozen=True)
class Kind:
    render: Render
    # Changes people must not miss also go by SMS when they gave a phone number.
    sms: bool = False
    # False for messages that only make sense on one channel (a code for the phone it confirms).
    email: bool = True
    # The heading the kind is shown under when people choose channels (app.notify.channels.TOPICS),
    # and whose old per-topic choice it follows until its own is made; by default "important" for
    # SMS kinds, else "other".
    topic: str = ""
    # Payload keys dropped once the message is sent (a one-time code has no business staying).
    forget: tuple[str, ...] = ()
    # Asked right before sending: a message no longer relevant (a reminder of a booking cancelled
    # meanwhile) is cancelled instead.
    still_relevant: Callable[[OutboxMessage], bool] | None = None
    # The in-app list: a short version without attachments, from what the message stored when the
    # event happened (its text stays as it was then); `listed=False` keeps a kind out of the list.
    summary: Render | None = None
    listed: bool = True
    # What people see when they choose this kind's channels (app.notify.channels); a kind without
    # one is not offered (a password-reset link, a phone code) and goes by the defaults.
    label: Any = None
    # The name people's choices are stored under: the registered name, without a prefix's "-".
    key: str = ""


_kinds: dict[str, Kind] = {}
_prefixes: dict[str, Kind] = {}
# The kinds people choose channels for, by key, in the order the features registered them.
_choosable: dict[str, Kind] = {}
# Called with a page of the in-app list before it is rendered, so a feature loads what its
# summaries read in one statement for the page rather than one per message.
Preload = Callable[[Sequence[OutboxMessage]], None]
_preloads: dict[str, Preload] = {}


def register(name: str, render: Render, *, prefix: bool = False, **options: Any) -> None:
    """Messages of kind `name` (or, with `prefix`, of every kind starting with it) are rendered by
    `render`; `options` are the other fields of `Kind` (sms, email, topic, still_relevant, summary,
    listed, label). Registering a name again replaces it: the app is built many times in one process."""
    kind = Kind(render, **options)
    kind = replace(kind, topic=kind.topic or ("important" if kind.sms else "other"), key=name.rstrip("-"))
    (_prefixes if prefix else _kinds)[name] = kind
    if kind.label is not None:
        _choosable[kind.key] = kind
    else:  # registered again without a label: no longer offered
        _choosable.pop(kind.key, None)


def choosable() -> dict[str, Kind]:
    """The kinds people choose channels for, by key (see `Kind.label`)."""
    return dict(_choosable)


def register_preload(name: str, preload: Preload) -> None:
    """`preload` readies a page of the in-app list (see `Preload`); `name` makes it replaceable."""
    _preloads[name] = preload


def preload(messages: Sequence[OutboxMessage]) -> None:
    for load in _preloads.values():
        load(messages)


def unlisted_kinds() -> list[str]:
    """Kinds kept out of the in-app list (a password-reset link is only good in its e-mail)."""
    return [name for name, kind in _kinds.items() if not kind.listed]


def kind_of(name: str) -> Kind | None:
    if name in _kinds:
        return _kinds[name]
    return next((kind for prefix, kind in _prefixes.items() if name.startswith(prefix)), None)


def link(endpoint: str, **values) -> str:
    """An absolute URL for a message (it is read outside the site)."""
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)
