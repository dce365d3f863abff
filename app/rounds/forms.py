"""The request form: five ordered choices as plain selects, so it works without JavaScript."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, SubmitField
from wtforms.validators import AnyOf, InputRequired, NumberRange

from app.rounds.models import MAX_CHOICES

CHOICE_LABELS = (
    _l("First choice"),
    _l("Second choice"),
    _l("Third choice"),
    _l("Fourth choice"),
    _l("Fifth choice"),
)


class RequestForm(FlaskForm):
    choice_1 = SelectField(CHOICE_LABELS[0], coerce=int)
    choice_2 = SelectField(CHOICE_LABELS[1], coerce=int)
    choice_3 = SelectField(CHOICE_LABELS[2], coerce=int)
    choice_4 = SelectField(CHOICE_LABELS[3], coerce=int)
    choice_5 = SelectField(CHOICE_LABELS[4], coerce=int)
    submit = SubmitField(_l("Save my request"))

    def choice_fields(self):
        return [getattr(self, f"choice_{number}") for number in range(1, MAX_CHOICES + 1)]

    def set_slots(self, options: list[tuple[int, str]], chosen: list[int] | None = None) -> None:
        for number, field in enumerate(self.choice_fields()):
            field.choices = [(0, str(_l("No choice"))), *options]
            if chosen is not None and not self.is_submitted():
                field.data = chosen[number] if number < len(chosen) else 0

    def chosen(self) -> list[int]:
        return [field.data for field in self.choice_fields() if field.data]


class MoveForm(FlaskForm):
    """One up or down button of the ordered list."""

    index = IntegerField(validators=[InputRequired(), NumberRange(min=0, max=MAX_CHOICES - 1)])
    step = HiddenField(validators=[AnyOf(["-1", "1"])])
