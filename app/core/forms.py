"""Helpers shared by the HTML forms: one way to run a form's action.

A form step is always the same: check the form, call the service, then either commit and say what
happened, or roll back and show why not — field errors on the form (the page is shown again with
them), any other refusal as a message on the next page. `run_action` is that step, so a view only
says what to call and where to go next."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from flask import flash
from flask_wtf import FlaskForm

from app.core.errors import DomainError, FieldErrors
from app.extensions import db

T = TypeVar("T")


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


@dataclass(frozen=True)
class Step(Generic[T]):
    """How a form step ended: `done` (committed; `value` is what the action returned), `refused`
    (a rule said no: rolled back, the reason flashed) or `invalid` (the form, or the service's field
    errors, need the person's attention: rolled back, errors on the form, show the page again)."""

    outcome: str
    value: T | None = None

    @property
    def done(self) -> bool:
        return self.outcome == "done"

    @property
    def refused(self) -> bool:
        return self.outcome == "refused"

    @property
    def invalid(self) -> bool:
        return self.outcome == "invalid"


def run_action(
    action: Callable[[], T],
    *,
    form: FlaskForm | None = None,
    success: str | Callable[[T], str] | None = None,
    category: str = "success",
) -> Step[T]:
    """Validate `form` (when given), call `action`, and commit and flash `success` (a text, or a
    function of the action's result); on a refusal roll back as described in `Step`."""
    if form is not None and not form.validate_on_submit():
        return Step("invalid")
    try:
        value = action()
    except FieldErrors as error:
        db.session.rollback()
        if form is None:
            flash_refusal(error)
            return Step("refused")
        apply_field_errors(form, error.errors)
        return Step("invalid")
    except DomainError as error:
        flash_refusal(error)
        return Step("refused")
    db.session.commit()
    if success is not None:
        flash(success(value) if callable(success) else success, category)
    return Step("done", value)
