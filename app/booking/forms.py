"""Booking forms. The rules themselves live in `eligibility` and `holds`; forms check shape only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length

from app.booking.labels import EXAM_NAMES
from app.booking.models import LICENCE_CATEGORIES, ExamType

EXAM_CHOICES = [SelectChoice(exam.value, EXAM_NAMES[exam]) for exam in ExamType]
CATEGORY_CHOICES = [SelectChoice(category, category) for category in LICENCE_CATEGORIES]


class ActionForm(FlaskForm):
    """A button that changes something (hold, cancel, leave): the CSRF token and where to go back."""

    next = HiddenField()
    # "yes" once the person has read the confirmation page of an irreversible step.
    confirmed = HiddenField()


class WaitlistForm(ActionForm):
    scope = HiddenField(validators=[AnyOf(["slot", "day"])])


class RescheduleForm(FlaskForm):
    slot_id = IntegerField(validators=[InputRequired()])
    confirmed = HiddenField()


class ConfirmForm(FlaskForm):
    consent_personal_data = BooleanField(
        _l(
            "I consent to the collection and processing of my personal data for this exam booking "
            "(Article 8 of the Law of the Republic of Kazakhstan “On Personal Data and their Protection”)."
        ),
        validators=[DataRequired(message=_l("Your consent to the processing of personal data is required."))],
    )
    fee_receipt = StringField(
        _l("State-fee receipt number"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("As shown on the receipt or in your bank's app: 4 to 40 letters, digits, dashes or slashes."),
        render_kw={"autocomplete": "off"},
    )
    submit = SubmitField(_l("Confirm the booking"))


class SearchForm(FlaskForm):
    """Which exam to look for (a GET form: nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    exam = SelectField(_l("Exam"), choices=EXAM_CHOICES, default=ExamType.THEORY.value)
    category = SelectField(
        _l("Licence category"),
        choices=CATEGORY_CHOICES,
        default="B",
        # The trial exam has question sets for the main categories only: say how the two lists meet.
        description=_l(
            "Trial exams cover A, B, C, D and BE; the subcategories (A1, B1, C1, D1, CE, DE) take the "
            "questions of their main category."
        ),
    )
    submit = SubmitField(_l("Show"))


class EarliestForm(SearchForm):
    city = SelectField(_l("City"))
    submit = SubmitField(_l("Find the earliest free place"))
