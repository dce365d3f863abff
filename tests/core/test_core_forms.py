"""`run_action`: the one way a form's action is run — commit and flash, or roll back and say why."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import get_flashed_messages
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired

from app.core.errors import DomainError, FieldErrors
from app.core.forms import run_action
from app.extensions import db


class NameForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField(validators=[InputRequired()])


@pytest.fixture(autouse=True)
def probe_table(app):
    """A table of the test's own that the actions write to."""
    with app.app_context():
        db.session.execute(sa.text("CREATE TABLE IF NOT EXISTS form_probe (x integer)"))
        db.session.execute(sa.text("DELETE FROM form_probe"))
        db.session.commit()
    yield
    with app.app_context():
        db.session.remove()
        db.session.execute(sa.text("DROP TABLE form_probe"))
        db.session.commit()


def _write_entry() -> None:
    db.session.execute(sa.text("INSERT INTO form_probe (x) VALUES (1)"))


def _entries() -> int:
    return db.session.scalar(sa.text("SELECT count(*) FROM form_probe"))


def test_a_valid_form_commits_and_flashes_the_result(app):
    with app.test_request_context(method="POST", data={"name": "Aru"}):
        form = NameForm()
        step = run_action(lambda: _write_entry() or 3, form=form, success=lambda n: f"{n} done")
        assert step.done
        assert step.value == 3
        assert get_flashed_messages(with_categories=True) == [("success", "3 done")]
        db.session.remove()
        assert _entries() == 1


def test_an_invalid_form_calls_nothing(app):
    called = []
    with app.test_request_context(method="POST", data={}):
        form = NameForm()
        step = run_action(lambda: called.append(1), form=form, success="never")
        assert step.invalid
        assert not called
        assert form.name.errors


def test_field_errors_go_on_the_form_and_nothing_is_kept(app):
    def refuse_name():
        _write_entry()
        raise FieldErrors({"name": ["Taken."], "other": ["On top."]})

    with app.test_request_context(method="POST", data={"name": "Aru"}):
        form = NameForm()
        step = run_action(refuse_name, form=form, success="never")
        assert step.invalid
        assert "Taken." in form.name.errors
        assert form.form_errors == ["On top."]
        assert get_flashed_messages() == []
        assert _entries() == 0


@pytest.mark.parametrize("with_form", [True, False])
def test_a_refusal_is_flashed_and_rolled_back(app, with_form):
    def refuse():
        _write_entry()
        raise DomainError("Not now.")

    with app.test_request_context(method="POST", data={"name": "Aru"}):
        step = run_action(refuse, form=NameForm() if with_form else None, success="never")
        assert step.refused
        assert get_flashed_messages(with_categories=True) == [("error", "Not now.")]
        assert _entries() == 0
