"""Sign-up, sign-in, profile and password pages."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from app.auth import phone, privacy, reset, services, sessions, signup, throttle
from app.auth.access import per_person_key
from app.auth.forms import (
    ConfirmRegistrationForm,
    LoginForm,
    PasswordForm,
    PhoneCodeForm,
    PhoneForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from app.auth.models import Role
from app.core.clock import utcnow
from app.core.errors import FieldErrors
from app.core.forms import apply_field_errors
from app.core.i18n import current_language
from app.core.urls import safe_next_url
from app.extensions import db, limiter
from app.notify.settings_routes import overview as messaging_overview

bp = Blueprint("auth", __name__, url_prefix="/account")


@bp.app_context_processor
def inject_roles():
    """Every page may show or hide what depends on the reader's role (the main navigation does)."""
    return {"Role": Role}


def landing_url(user) -> str:
    """Where a sign-in without `?next=` lands: staff on today's exam day of their centre, admins on
    the admin overview, everyone else on the home page (endpoints by name: no import of those features)."""
    if user.role == Role.STAFF and user.centre is not None:
        return url_for("staff.day", code=user.centre.code)
    if user.role == Role.ADMIN:
        return url_for("admin.home")
    return url_for("main.index")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _register_limit() -> str:
    return current_app.config["REGISTER_RATE_LIMIT"]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
@privacy.no_store  # the form comes back with the IIN typed in
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    if request.method == "GET":
        form.language.data = request.args.get("lang") or current_language()
    if form.is_submitted():
        registration = services.Registration(
            email=form.email.data or "",
            password=form.password.data or "",
            full_name=form.full_name.data or "",
            iin=form.iin.data or "",
            phone=form.phone.data,
            language=form.language.data,
        )
        if not form.validate():
            # The account's own rules too, so that every problem shows at once, not one round at a time
            # (not for a request without a valid CSRF token: it learns nothing).
            if "csrf_token" not in form.errors:
                problems = services.registration_problems(db.session, registration, check_taken=False)
                apply_field_errors(form, {name: found for name, found in problems.items() if name not in form.errors})
            return render_template("auth/register.html", form=form), 422
        try:
            signup.start(
                db.session,
                registration,
                language=form.language.data or current_language(),
                now=utcnow(),
            )
        except FieldErrors as error:
            db.session.rollback()
            apply_field_errors(form, error.errors)
        else:
            db.session.commit()
            # One answer whether the e-mail or the IIN has an account or not (app.auth.signup).
            return redirect(url_for("auth.registration_sent"))
    return render_template("auth/register.html", form=form), 422 if form.errors else 200


@bp.get("/register/sent")
def registration_sent():
    return render_template("auth/registration_sent.html")


# The token is in the path: the access log redacts it (app.ops.logs), and the page sends no Referer.
@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
@privacy.no_store
def confirm_registration(token: str):
    now = utcnow()
    form = ConfirmRegistrationForm()
    if signup.pending(db.session, token, now) is not None:
        if not form.validate_on_submit():
            return render_template("auth/confirm_registration.html", form=form)
        user = signup.confirm(db.session, token, now)
        if user is not None:
            sessions.sign_out()  # whoever was signed in in this browser
            sessions.sign_in(user)
            db.session.commit()
            flash(_("Welcome to Kezek! Your account is ready."), "success")
            return redirect(url_for("main.index"))
        db.session.commit()  # the link is used up either way
    flash(_("This link is not valid any more. Register again to get a new one."), "error")
    return redirect(url_for("auth.register"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    next_url = safe_next_url(request.values.get("next"), "")
    if current_user.is_authenticated:
        return redirect(next_url or landing_url(current_user))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = throttle.sign_in(db.session, form.email.data, form.password.data)
        except throttle.SignInThrottled as error:
            form.form_errors.append(error.message)
            return render_template("auth/login.html", form=form, next_url=next_url), 429
        if user is None:
            form.form_errors.append(_("Wrong e-mail or password."))
            status = 401
        else:
            sessions.sign_in(user, remember=form.remember.data)
            db.session.commit()
            flash(_("You are signed in."), "success")
            return throttle.remember_device(redirect(next_url or landing_url(user)), user)
    elif form.errors:
        status = 422
    return render_template("auth/login.html", form=form, next_url=next_url), status


@bp.post("/logout")
def logout():
    # A CSRF-protected POST, so that no other site can sign people out.
    sessions.sign_out()
    db.session.commit()
    flash(_("You are signed out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if request.method == "GET":
        form.language.data = current_user.language or current_language()
    if form.validate_on_submit():
        try:
            services.update_profile(
                current_user, full_name=form.full_name.data, phone=form.phone.data, language=form.language.data
            )
        except FieldErrors as error:
            db.session.rollback()
            apply_field_errors(form, error.errors)
        else:
            db.session.commit()
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("auth.profile"))
    return _profile_page(form)


def _profile_page(form, phone_form=None, code_form=None):
    # formdata=None: the other forms on the page show the account, not the form just posted.
    phone_form = phone_form or PhoneForm(formdata=None, number=current_user.phone)
    code_form = code_form or PhoneCodeForm(formdata=None)
    pending = db.session.get(phone.PhoneCode, current_user.id)
    errors = form.errors or phone_form.errors or code_form.errors
    return render_template(
        "auth/profile.html",
        form=form,
        phone_form=phone_form,
        code_form=code_form,
        phone_pending=pending,
        phone_confirmed=phone.phone_confirmed(current_user),
        messaging=messaging_overview(current_user),
    ), 422 if errors else 200


def _phone_code_limit() -> str:
    return current_app.config["PHONE_CODE_RATE_LIMIT"]


@bp.post("/phone/verify")
@login_required
@limiter.limit(_phone_code_limit, key_func=per_person_key)
def phone_verify():
    phone_form = PhoneForm()
    if phone_form.validate_on_submit():
        try:
            phone.send_code(db.session, current_user, phone_form.number.data, utcnow())
        except FieldErrors as error:
            db.session.rollback()
            phone_form.number.errors = [*phone_form.number.errors, *error.errors["phone"]]
        else:
            db.session.commit()
            flash(_("We have sent a code by SMS. Enter it below."), "info")
            return redirect(url_for("auth.profile", _anchor="phone-title"))
    return _profile_page(ProfileForm(formdata=None, obj=current_user), phone_form=phone_form)


@bp.post("/phone/confirm")
@login_required
def phone_confirm():
    code_form = PhoneCodeForm()
    if code_form.validate_on_submit():
        try:
            phone.confirm_code(db.session, current_user, code_form.code.data, utcnow())
        except phone.CodeRefused as error:
            db.session.commit()  # the wrong attempt counts
            code_form.code.errors = [*code_form.code.errors, error.message]
        else:
            db.session.commit()
            flash(_("Your phone number is confirmed."), "success")
            return redirect(url_for("auth.profile"))
    return _profile_page(ProfileForm(formdata=None, obj=current_user), code_form=code_form)


@bp.post("/sessions/end-all")
@login_required
def sign_out_everywhere():
    services.end_every_session(db.session, current_user)
    logout_user()
    db.session.commit()
    flash(_("You are signed out on every device."), "info")
    return redirect(url_for("main.index"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                db.session,
                current_user,
                current_password=form.current_password.data,
                new_password=form.new_password.data,
            )
        except FieldErrors as error:
            db.session.rollback()
            apply_field_errors(form, error.errors)
        else:
            # Every other browser is signed out; this one goes on with a new session.
            sessions.sign_in_again(current_user._get_current_object())
            db.session.commit()
            flash(_("Your password is changed. Every other device is signed out."), "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/password.html", form=form), 422 if form.errors else 200


def _reset_limit() -> str:
    return current_app.config["REGISTER_RATE_LIMIT"]


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        now, ttl = utcnow(), current_app.config["PASSWORD_RESET_TTL_SECONDS"]
        services.request_password_reset(
            db.session,
            form.email.data,
            make_link=lambda user: (
                current_app.config["BASE_URL"].rstrip("/")
                + url_for("auth.reset_password", token=reset.make_token(db.session, user, ttl_seconds=ttl, now=now))
            ),
            now=now,
        )
        db.session.commit()
        flash(_("If an account uses this address, we have sent it a link to choose a new password."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form), 422 if form.errors else 200


# The token is in the path: the access log redacts it (app.ops.logs), and the page sends no Referer.
@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = reset.user_for_token(db.session, token, utcnow())
    if user is None:
        flash(_("This link is not valid any more. Ask for a new one."), "error")
        return redirect(url_for("auth.reset_request"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(db.session, user, form.new_password.data)
        except FieldErrors as error:
            db.session.rollback()
            apply_field_errors(form, error.errors)
        else:
            db.session.commit()
            throttle.forgive(user.email)  # the owner proved it: the new password is not held back
            flash(_("Your password is changed. Sign in with the new one."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form), 422 if form.errors else 200
