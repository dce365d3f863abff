"""Helpers shared by the HTML forms."""

from __future__ import annotations

from collections.abc import Mapping

from flask import flash
from flask_wtf import FlaskForm

from app.core.errors import DomainError
from app.extensions import db


def apply_field_errors(form: FlaskForm, errors: Mapping[str, list]) -> None:
    """Put a service's field errors on the form; errors for fields the form lacks go on top."""
    for field_name, messages in errors.items():
        field = getattr(form, field_name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, *messages]
        else:
            form.form_errors.extend(messages)


def flash_refusal(error: DomainError) -> None:
    """A rule refused the request: undo what it changed and tell why on the next page."""
    db.session.rollback()
    flash(str(error.message), "error")
