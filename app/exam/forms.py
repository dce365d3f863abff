"""Forms for starting exams and practice, and for editing exam profiles."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, SelectField, SubmitField
from wtforms.validators import DataRequired, InputRequired, NumberRange

from app.auth.forms import LANGUAGE_CHOICES


class StartForm(FlaskForm):
    """Start an exam or a practice mode for a licence category."""

    profile = RadioField(_l("Licence category"), validators=[DataRequired()])
    language = SelectField(_l("Language of the questions"), choices=LANGUAGE_CHOICES)
    mode = HiddenField(default="exam")
    topic = SelectField(_l("Topic"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Start"))


class ProfileForm(FlaskForm):
    seconds = IntegerField(_l("Time, in seconds"), validators=[InputRequired(), NumberRange(min=1)])
    questions = IntegerField(_l("Number of questions"), validators=[InputRequired(), NumberRange(min=1)])
    pass_mark = IntegerField(_l("Pass mark (right answers needed)"), validators=[InputRequired(), NumberRange(min=1)])
    submit = SubmitField(_l("Save"))
