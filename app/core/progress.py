"""Progress of long work without the work knowing who watches it.

A service that loops over many items takes a `track` function and loops over `track(items, label)`.
The CLI passes one that draws a progress bar (`app.core.cli.track`); every other caller (a view,
a job, a test) gets `untracked`, which hands the items back as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any

Track = Callable[[Collection[Any], str], Iterable[Any]]


def untracked(items: Collection[Any], label: str) -> Iterable[Any]:
    return items
