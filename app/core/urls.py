"""URLs: safe redirects (only to a path on this site, never to another host) and ids in paths."""

from __future__ import annotations

from urllib.parse import urlsplit

from werkzeug.routing import IntegerConverter

# Ids are PostgreSQL `integer`s: a larger number in a URL or a body names nothing of ours (404 or
# 422), instead of reaching the database and failing there ("integer out of range", 500).
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:…>` in every route, bounded by `MAX_ID`."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits, min, max, signed)


def safe_next_url(target: str | None, fallback: str) -> str:
    """`target` when it is a local path (e.g. from `?next=`), else `fallback`.

    Refuses absolute URLs, scheme-relative `//host` URLs and backslash tricks that some browsers
    read as `//`.
    """
    if not target:
        return fallback
    target = target.strip()
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    if any(ord(ch) < 32 for ch in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target
