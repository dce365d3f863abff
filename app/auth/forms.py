"""Account forms. Field rules shared with the API (IIN, password policy, duplicates) live in
`services`; the forms check presence and shape only.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField, TelField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from app.core.i18n import LANGUAGE_NAMES

LANGUAGE_CHOICES = [SelectChoice(code, name, render_kw={"lang": code}) for code, name in LANGUAGE_NAMES.items()]


class RegisterForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    full_name = StringField(
        _l("Full name"), validators=[DataRequired(), Length(max=200)], description=_l("As in your identity document.")
    )
    iin = StringField(
        _l("IIN"),
        validators=[DataRequired()],
        description=_l("Your 12-digit individual identification number."),
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 12},
    )
    phone = TelField(_l("Phone (optional)"), validators=[Optional(), Length(max=20)], render_kw={"autocomplete": "tel"})
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired()],
        description=_l("At least 10 characters, with letters and digits."),
        render_kw={"autocomplete": "new-password"},
    )
    password_confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Create account"))


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired()], render_kw={"autocomplete": "email"})
    password = PasswordField(
        _l("Password"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )
    remember = BooleanField(_l("Remember me on this device"))
    submit = SubmitField(_l("Sign in"))


class ProfileForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    phone = TelField(_l("Phone (optional)"), validators=[Optional(), Length(max=20)], render_kw={"autocomplete": "tel"})
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    submit = SubmitField(_l("Save"))


class ResetPasswordForm(FlaskForm):
    """A new password, typed twice (also the second half of the change-password form)."""

    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired()],
        description=_l("At least 10 characters, with letters and digits."),
        render_kw={"autocomplete": "new-password"},
    )
    new_password_confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Change password"))


class PasswordForm(ResetPasswordForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired()], render_kw={"autocomplete": "email"})
    submit = SubmitField(_l("Send me a link"))


class PhoneForm(FlaskForm):
    number = TelField(
        _l("Phone number"), validators=[DataRequired(), Length(max=20)], render_kw={"autocomplete": "tel"}
    )
    submit = SubmitField(_l("Send me a code"))


class PhoneCodeForm(FlaskForm):
    code = StringField(
        _l("Code from the SMS"),
        validators=[DataRequired(), Length(max=10)],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6},
    )
    submit = SubmitField(_l("Confirm the number"))
