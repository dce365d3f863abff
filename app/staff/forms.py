"""Staff and admin forms. They check shape only; the rules live in the staff services
(`schedule`, `slots`, `exam_day`, `accounts`) and `rules`."""

from __future__ import annotations

from babel.dates import get_day_names
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.booking.forms import CATEGORY_CHOICES, EXAM_CHOICES
from app.booking.labels import DOCUMENTS
from app.core.ranges import SupportedDay

TIMEZONES = ("Asia/Almaty", "Asia/Aqtobe", "Asia/Aqtau", "Asia/Atyrau", "Asia/Oral", "Asia/Qostanay", "Asia/Qyzylorda")


def weekday_choices() -> list[SelectChoice]:
    """Monday … Sunday in the reader's language (CLDR names, nothing to translate by hand)."""
    names = get_day_names("wide", locale=get_locale())
    return [SelectChoice(day, names[day].capitalize()) for day in range(7)]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TemplateForm(FlaskForm):
    weekday = SelectField(_l("Day of the week"), coerce=int)
    exam_type = SelectField(_l("Exam"), choices=EXAM_CHOICES)
    categories = CheckboxesField(_l("Licence categories"), choices=CATEGORY_CHOICES)
    opens_at = TimeField(_l("First exam starts at"), validators=[InputRequired()])
    closes_at = TimeField(_l("Last exam ends by"), validators=[InputRequired()])
    slot_minutes = IntegerField(_l("Minutes per exam time"), validators=[InputRequired(), NumberRange(10, 480)])
    capacity = IntegerField(_l("Places per time and category"), validators=[InputRequired(), NumberRange(1, 500)])
    valid_from = DateField(_l("Valid from"), validators=[InputRequired(), SupportedDay()])
    valid_to = DateField(_l("Valid until (optional)"), validators=[Optional(), SupportedDay()])
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Save the template"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.weekday.choices = weekday_choices()


class ClosureForm(FlaskForm):
    first_day = DateField(_l("First day"), validators=[InputRequired(), SupportedDay()])
    last_day = DateField(_l("Last day"), validators=[InputRequired(), SupportedDay()])
    reason = StringField(
        _l("Reason"),
        validators=[DataRequired(), Length(max=300)],
        description=_l(
            "Published on the centre's open statistics and sent to the applicants whose bookings are "
            "cancelled: write no names or other personal data."
        ),
    )
    submit = SubmitField(_l("Close the centre on these days"))


class CapacityForm(FlaskForm):
    capacity = IntegerField(_l("Places"), validators=[InputRequired(), NumberRange(1, 500)])
    submit = SubmitField(_l("Change the places"))


class BlockForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(), Length(max=300)],
        description=_l("Applicants read it in their message, e.g. “The exam vehicle is under repair”."),
    )
    submit = SubmitField(_l("Block and cancel the bookings"))


class CheckInForm(FlaskForm):
    identity = BooleanField(DOCUMENTS["identity"])
    medical = BooleanField(DOCUMENTS["medical"])
    fee = BooleanField(DOCUMENTS["fee"])
    school = BooleanField(DOCUMENTS["school"])
    submit = SubmitField(_l("Record the check-in"))


class TicketForm(FlaskForm):
    """One field for the check-in desk: a barcode scanner types the QR code's text and Enter, or staff
    type the ticket number."""

    code = StringField(
        _l("Scanned code or ticket number"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("Scan the QR code on the applicant's ticket, or type the ticket number."),
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"},
    )
    submit = SubmitField(_l("Open the booking"))


class PersonSearchForm(FlaskForm):
    """Admins look a person up (POST: an IIN typed here stays out of addresses and logs)."""

    query = StringField(
        _l("E-mail, full IIN or ticket number"),
        validators=[DataRequired(), Length(max=254)],
        description=_l("Exact matches only, e.g. learner@demo.kezek.kz, 950102300012 or ALM-T-20261201-0001."),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    submit = SubmitField(_l("Find"))


class ResultForm(FlaskForm):
    """Theory: right answers out of 40 (the result follows from them); practical: pass or fail and
    the penalty points."""

    passed = RadioField(
        _l("Result"),
        choices=[SelectChoice("yes", _l("Passed")), SelectChoice("no", _l("Failed"))],
        validators=[Optional()],
    )
    points = IntegerField(validators=[Optional(), NumberRange(0, 1000)])
    submit = SubmitField(_l("Record the result"))


class PeriodForm(FlaskForm):
    """Which exam days to look at (GET: nothing changes, no CSRF token)."""

    class Meta:
        csrf = False

    first_day = DateField(_l("From"), validators=[InputRequired()])
    last_day = DateField(_l("To"), validators=[InputRequired()])
    submit = SubmitField(_l("Show"))


class DayFilterForm(FlaskForm):
    """What the exam-day page shows (GET: nothing changes, no CSRF token); empty means all."""

    class Meta:
        csrf = False

    exam = SelectField(_l("Exam"), validators=[Optional()])
    category = SelectField(_l("Licence category"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()])
    submit = SubmitField(_l("Show"))

    def __init__(self, *args, statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        every = SelectChoice("", _l("All"))
        self.exam.choices = [every, *EXAM_CHOICES]
        self.category.choices = [every, *CATEGORY_CHOICES]
        self.status.choices = [every, *(SelectChoice(value, label) for value, label in statuses)]

    def chosen(self, name: str) -> str | None:
        """The value picked for `name` when it is one of the choices, else None (all)."""
        value = self[name].data
        return value if value and value in {choice.value for choice in self[name].choices} else None


class CentreForm(FlaskForm):
    code = StringField(
        _l("Code"), validators=[DataRequired(), Length(2, 10)], description=_l("2 to 10 letters, e.g. ALM.")
    )
    name_kk = StringField(_l("Name in Kazakh"), validators=[DataRequired(), Length(max=200)])
    name_ru = StringField(_l("Name in Russian"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[DataRequired(), Length(max=200)])
    city_kk = StringField(_l("City in Kazakh"), validators=[DataRequired(), Length(max=100)])
    city_ru = StringField(_l("City in Russian"), validators=[DataRequired(), Length(max=100)])
    city_en = StringField(_l("City in English"), validators=[DataRequired(), Length(max=100)])
    address_kk = StringField(_l("Address in Kazakh"), validators=[DataRequired(), Length(max=300)])
    address_ru = StringField(_l("Address in Russian"), validators=[DataRequired(), Length(max=300)])
    address_en = StringField(_l("Address in English"), validators=[DataRequired(), Length(max=300)])
    opening_hours_kk = StringField(_l("Opening hours in Kazakh"), validators=[Length(max=200)])
    opening_hours_ru = StringField(_l("Opening hours in Russian"), validators=[Length(max=200)])
    opening_hours_en = StringField(_l("Opening hours in English"), validators=[Length(max=200)])
    timezone = SelectField(_l("Time zone"), choices=[SelectChoice(zone, zone) for zone in TIMEZONES])
    # Checked with the centre's weekly templates by app/centres/services.check_lunch_break.
    lunch_starts_at = TimeField(_l("Lunch break starts at"), validators=[Optional()])
    lunch_ends_at = TimeField(_l("Lunch break ends at"), validators=[Optional()])
    submit = SubmitField(_l("Save the centre"))


class StaffForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)], render_kw={"autocomplete": "off"})
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    iin = StringField(
        _l("IIN"),
        validators=[DataRequired()],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 12},
    )
    centre = SelectField(_l("Exam centre"))
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired()],
        description=_l("At least 10 characters, with letters and digits."),
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Create the staff account"))
