"""Helpers for the command-line interface."""

from __future__ import annotations

import click

from app.core.errors import FieldErrors
from app.extensions import db


def fail_with_field_errors(error: FieldErrors):
    """Roll back, print `field: message` lines on stderr and exit with status 1."""
    db.session.rollback()
    for field, messages in error.errors.items():
        for message in messages:
            click.echo(f"{field}: {message}", err=True)
    raise SystemExit(1)
