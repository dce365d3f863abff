"""The id of the request (or job run, or command) the current work belongs to. Log records carry it,
and so does every message queued in the outbox, so one id ties a request to all it caused."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

_request_id: ContextVar[str | None] = ContextVar("kezek_request_id", default=None)


def current_request_id() -> str | None:
    return _request_id.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


def bind_request_id(request_id: str) -> Token:
    """Until `unbind_request_id(token)`: for hooks that open and close a request in two steps."""
    return _request_id.set(request_id)


def unbind_request_id(token: Token) -> None:
    _request_id.reset(token)


@contextmanager
def request_id_bound(request_id: str) -> Iterator[str]:
    """Everything inside belongs to `request_id` (a job run, a CLI command)."""
    token = _request_id.set(request_id)
    try:
        yield request_id
    finally:
        _request_id.reset(token)
