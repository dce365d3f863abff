"""Helpers for the command-line interface."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import click

from app.core.errors import FieldErrors
from app.extensions import db


def progress(items, label: str, show=None, length: int | None = None):
    """A progress bar on standard error (the summary line stays alone on standard output, for
    scripts); click draws it only on a terminal and prints just the label otherwise. `length`
    is for items that cannot say how many they are (a stream of rows)."""
    return click.progressbar(items, label=label, file=sys.stderr, item_show_func=show, length=length)


def track(items, label: str):
    """The `app.core.progress.Track` of the CLI: a service's loop drawn as a progress bar."""
    with progress(items, label) as bar:
        yield from bar


def fail_with_field_errors(error: FieldErrors):
    """Roll back, print `field: message` lines on stderr and exit with status 1."""
    db.session.rollback()
    for field, messages in error.errors.items():
        for message in messages:
            click.echo(f"{field}: {message}", err=True)
    raise SystemExit(1)


@contextmanager
def output_file(path: str, encoding: str = "utf-8") -> Iterator[TextIO]:
    """A text file to write `path` through, or standard output for "-". The file appears (or
    replaces an older one) only once it is complete: the writing goes to a temporary file beside it,
    removed if anything fails. (click's own `atomic=True` renames even after an error.)"""
    if path == "-":
        with click.open_file(path, "w", encoding=encoding) as out:
            yield out
        return
    target = Path(path)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with open(handle, "w", encoding=encoding, newline="") as out:
            yield out
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise
