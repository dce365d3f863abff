"""Staff forms for fair-release rounds (shape only; the rules are in app/rounds/announcing.py).
Times are the centre's local times."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeLocalField, SelectField, SubmitField
from wtforms.validators import InputRequired, Optional

from app.booking.forms import CATEGORY_CHOICES, EXAM_CHOICES
from app.core.ranges import SupportedDay


class RoundTimesForm(FlaskForm):
    opens_at = DateTimeLocalField(_l("Requests open at"), validators=[InputRequired()])
    draw_at = DateTimeLocalField(
        _l("Draw at"), validators=[Optional()], description=_l("Empty: 30 minutes after the opening.")
    )
    submit = SubmitField(_l("Save"))


class RoundForm(RoundTimesForm):
    exam_type = SelectField(_l("Exam"), choices=EXAM_CHOICES, validators=[InputRequired()])
    category = SelectField(_l("Licence category"), choices=CATEGORY_CHOICES, default="B", validators=[InputRequired()])
    first_day = DateField(_l("First exam day"), validators=[InputRequired(), SupportedDay()])
    last_day = DateField(_l("Last exam day"), validators=[InputRequired(), SupportedDay()])
    submit = SubmitField(_l("Announce the round"))
