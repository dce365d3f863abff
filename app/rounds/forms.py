"""The request form: five ordered choices as plain selects, so it works without JavaScript. Each
select offers the round's slots and its days and parts of day ("any time that morning")."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, SubmitField
from wtforms.validators import AnyOf, InputRequired, NumberRange

from app.rounds import lottery
from app.rounds.models import MAX_CHOICES

NO_CHOICE = "0"
CHOICE_LABELS = (
    _l("First choice"),
    _l("Second choice"),
    _l("Third choice"),
    _l("Fourth choice"),
    _l("Fifth choice"),
)


def choice_value(choice: lottery.Choice | int | dict) -> str:
    """A choice as an option's value: "123" for a slot, "2026-12-10/morning" for a day part."""
    choice = lottery.parse_choice(choice) if isinstance(choice, dict) else choice
    if isinstance(choice, lottery.DayPart):
        return f"{choice.day.isoformat()}/{choice.part}"
    return str(choice)


def parse_value(value: str) -> lottery.Choice:
    if "/" in value:
        day, part = value.split("/", 1)
        return lottery.DayPart(date.fromisoformat(day), part)
    return int(value)


class RequestForm(FlaskForm):
    choice_1 = SelectField(CHOICE_LABELS[0])
    choice_2 = SelectField(CHOICE_LABELS[1])
    choice_3 = SelectField(CHOICE_LABELS[2])
    choice_4 = SelectField(CHOICE_LABELS[3])
    choice_5 = SelectField(CHOICE_LABELS[4])
    submit = SubmitField(_l("Save my request"))

    def choice_fields(self):
        return [getattr(self, f"choice_{number}") for number in range(1, MAX_CHOICES + 1)]

    def set_options(self, options: list[tuple[str, str]], chosen: list | None = None) -> None:
        """`options`: (value, label) as `choice_value` gives the values; `chosen`: the stored choices."""
        for number, field in enumerate(self.choice_fields()):
            field.choices = [(NO_CHOICE, str(_l("No choice"))), *options]
            if chosen is not None and not self.is_submitted():
                field.data = choice_value(chosen[number]) if number < len(chosen) else NO_CHOICE

    def chosen(self) -> list[lottery.Choice]:
        # The select's own validation has checked each value is one of the options.
        return [parse_value(field.data) for field in self.choice_fields() if field.data not in ("", NO_CHOICE)]


class MoveForm(FlaskForm):
    """One up or down button of the ordered list."""

    index = IntegerField(validators=[InputRequired(), NumberRange(min=0, max=MAX_CHOICES - 1)])
    step = HiddenField(validators=[AnyOf(["-1", "1"])])
