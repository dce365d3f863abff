"""The server's clock. Every "now" in the application comes from here, so tests can freeze it."""

from __future__ import annotations

from datetime import UTC, datetime


def _system_now() -> datetime:
    return datetime.now(UTC)


_now = _system_now


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return _now()


def set_clock(now_function=None) -> None:
    """Replace the clock (tests); `None` restores the system clock."""
    global _now
    _now = now_function or _system_now
