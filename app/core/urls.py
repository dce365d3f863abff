"""Safe redirects: only to a path on this site, never to another host."""

from __future__ import annotations

from urllib.parse import urlsplit


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
