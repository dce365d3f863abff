"""Helpers for the command-line interface."""

from __future__ import annotations

import sys

import click

from app.core.errors import FieldErrors
from app.extensions import db


def progress(items, label: str, show=None):
    """A progress bar on standard error (the summary line stays alone on standard output, for
    scripts); click draws it only on a terminal and prints just the label otherwise."""
    return click.progressbar(items, label=label, file=sys.stderr, item_show_func=show)


def fail_with_field_errors(error: FieldErrors):
    """Roll back, print `field: message` lines on stderr and exit with status 1."""
    db.session.rollback()
    for field, messages in error.errors.items():
        for message in messages:
            click.echo(f"{field}: {message}", err=True)
    raise SystemExit(1)
