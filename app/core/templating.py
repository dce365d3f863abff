"""Template globals shared by every page."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from cachetools import LRUCache
from flask import Flask, current_app, render_template, request
from flask_babel import format_date, format_datetime, format_time
from markupsafe import Markup

from app.core import formats
from app.core.i18n import LANGUAGE_NAMES, current_language


def register(app: Flask) -> None:
    formats.register(app)  # numbers and dates in the reader's language (numeric_date, decimal, percent …)

    @app.context_processor
    def inject_globals():
        return {
            "LANGUAGE_NAMES": LANGUAGE_NAMES,
            "current_language": current_language,
            "current_path": lambda: request.full_path.rstrip("?") if request else "/",
        }

    # Times are stored in UTC and shown in the zone of the place they belong to (a centre's),
    # converted explicitly: the page's default zone may be another one.
    @app.template_filter("local_datetime")
    def local_datetime(value: datetime, zone: str, format: str = "medium") -> str:
        return format_datetime(value.astimezone(ZoneInfo(zone)), format, rebase=False)

    @app.template_filter("local_date")
    def local_date(value: datetime, zone: str, format: str = "medium") -> str:
        return format_date(value.astimezone(ZoneInfo(zone)), format, rebase=False)

    @app.template_filter("timestamp_datetime")
    def timestamp_datetime(value: float) -> datetime:
        """A POSIX timestamp (as APScheduler stores next run times) as an aware UTC datetime."""
        return datetime.fromtimestamp(value, UTC)

    @app.template_filter("local_time")
    def local_time(value: datetime, zone: str, format: str = "short") -> str:
        return format_time(value.astimezone(ZoneInfo(zone)), format, rebase=False)


_fragments_lock = threading.Lock()


def rendered_once(cache: str, key: tuple, template: str, maxsize: int, **context) -> Markup:
    """A template rendered once per process for each `key`, which must hold everything the fragment
    shows (the language included); the app keeps the `maxsize` most recently used of each `cache`."""
    with _fragments_lock:
        fragments = current_app.extensions.setdefault(f"kezek.{cache}", LRUCache(maxsize=maxsize))
        fragment = fragments.get(key)
    if fragment is None:
        # A rendered template is already escaped HTML.
        fragment = Markup(render_template(template, **context))  # noqa: S704
        with _fragments_lock:
            fragments[key] = fragment
    return fragment
