"""Staff forms for fair-release rounds (shape only; the rules are in app/rounds/announcing.py).
Times are the centre's local times."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DateTimeLocalField, IntegerField, SelectField, SubmitField, TimeField
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


class ReleasePolicyForm(FlaskForm):
    """A centre's release policy (shape only; the limits are checked in app/rounds/policies.py)."""

    enabled = BooleanField(_l("Announce rounds by this policy"))
    weekday = SelectField(_l("Day of the announcement"), coerce=int, validators=[InputRequired()])
    local_time = TimeField(_l("Time of the announcement"), validators=[InputRequired()])
    weeks_ahead = IntegerField(
        _l("Weeks ahead"),
        validators=[InputRequired()],
        description=_l("4: on a Monday the round covers the week that begins four Mondays later."),
    )
    window_minutes = IntegerField(_l("Minutes requests stay open"), default=30, validators=[InputRequired()])
    submit = SubmitField(_l("Save the policy"))
