"""Appeal forms. The rules live in `services` and `deadlines`; forms check presence and shape.

Several forms share the staff's case page, so each has its own prefix (unique field ids)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.appeals.labels import OUTCOME_NAMES
from app.appeals.step_rules import ESSENCE_MAX, POSITION_MAX, POSTAL_ADDRESS_MAX, TEXT_MAX

OUTCOME_CHOICES = [
    SelectChoice("", _l("Choose…")),
    *(SelectChoice(outcome.value, name) for outcome, name in OUTCOME_NAMES.items()),
]


class AppealForm(FlaskForm):
    centre = SelectField(
        _l("Exam centre addressed"),
        description=_l("The centre whose decision you appeal. If another centre is competent, it is referred there."),
    )
    postal_address = StringField(
        _l("Postal address"),
        validators=[DataRequired(), Length(max=POSTAL_ADDRESS_MAX)],
        description=_l("Where a written answer can be sent."),
    )
    essence = TextAreaField(
        _l("Essence of the appeal"),
        validators=[DataRequired(), Length(max=ESSENCE_MAX)],
        description=_l("Which decision you disagree with, why, and what you ask for."),
        render_kw={"rows": 8},
    )
    confirmed = BooleanField(
        _l(
            "I confirm that I file this appeal and that the information in it is true. "
            "This takes the place of my signature."
        ),
        validators=[DataRequired(message=_l("Confirm the appeal: it takes the place of your signature."))],
    )
    submit = SubmitField(_l("File the appeal"))


class ComplaintForm(FlaskForm):
    essence = TextAreaField(
        _l("Essence of the complaint"),
        validators=[DataRequired(), Length(max=ESSENCE_MAX)],
        description=_l("What in the decision you disagree with, and why."),
        render_kw={"rows": 6},
    )
    late_reason = TextAreaField(
        _l("Why the complaint comes after the 3-month term"),
        validators=[Optional(), Length(max=TEXT_MAX)],
        description=_l("The complaint is accepted anyway; the reason is recorded."),
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("File the complaint"))


class RegisterForm(FlaskForm):
    position = StringField(
        _l("Your position"),
        validators=[DataRequired(), Length(max=POSITION_MAX)],
        description=_l("Shown on the applicant's receipt with your name."),
    )
    submit = SubmitField(_l("Register the appeal"))


class ReferForm(FlaskForm):
    centre = SelectField(_l("Competent centre"))
    note = TextAreaField(
        _l("Why it is referred"), validators=[DataRequired(), Length(max=TEXT_MAX)], render_kw={"rows": 3}
    )
    submit = SubmitField(_l("Refer the appeal"))


class ExtendForm(FlaskForm):
    until = DateField(_l("New decision date"), validators=[InputRequired()])
    reason = TextAreaField(
        _l("Reasons for the extension"), validators=[DataRequired(), Length(max=TEXT_MAX)], render_kw={"rows": 3}
    )
    submit = SubmitField(_l("Extend the term"))


class DecisionForm(FlaskForm):
    outcome = SelectField(_l("Decision"), choices=OUTCOME_CHOICES, validators=[DataRequired()])
    reasons = TextAreaField(
        _l("Reasons"),
        validators=[DataRequired(), Length(max=TEXT_MAX)],
        description=_l("Sent to the applicant with the decision."),
        render_kw={"rows": 6},
    )
    submit = SubmitField(_l("Send the decision"))
