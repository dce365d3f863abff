"""Sign-up, sign-in, profile and password pages."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import services
from app.auth.forms import LoginForm, PasswordForm, ProfileForm, RegisterForm
from app.core.errors import FieldErrors
from app.core.forms import apply_field_errors
from app.core.i18n import current_language
from app.core.urls import safe_next_url
from app.extensions import db, limiter

bp = Blueprint("auth", __name__, url_prefix="/account")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _register_limit() -> str:
    return current_app.config["REGISTER_RATE_LIMIT"]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    if request.method == "GET":
        form.language.data = request.args.get("lang") or current_language()
    if form.validate_on_submit():
        try:
            user = services.register_user(
                db.session,
                services.Registration(
                    email=form.email.data,
                    password=form.password.data,
                    full_name=form.full_name.data,
                    iin=form.iin.data,
                    phone=form.phone.data,
                    language=form.language.data,
                ),
            )
        except FieldErrors as error:
            db.session.rollback()
            apply_field_errors(form, error.errors)
        else:
            db.session.commit()
            login_user(user)
            flash(_("Welcome to Kezek! Your account is ready."), "success")
            return redirect(url_for("main.index"))
    return render_template("auth/register.html", form=form), 422 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    next_url = safe_next_url(request.values.get("next"), url_for("main.index"))
    if current_user.is_authenticated:
        return redirect(next_url)
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(db.session, form.email.data, form.password.data)
        except services.AccountLocked as error:
            form.form_errors.append(error.message)
            return render_template("auth/login.html", form=form, next_url=next_url), 429
        db.session.commit()  # the failure count, or its reset
        if user is None:
            form.form_errors.append(_("Wrong e-mail or password."))
            status = 401
        else:
            login_user(user, remember=form.remember.data)
            flash(_("You are signed in."), "success")
            return redirect(next_url)
    elif form.errors:
        status = 422
    return render_template("auth/login.html", form=form, next_url=next_url), status


@bp.post("/logout")
def logout():
    # A CSRF-protected POST, so that no other site can sign people out.
    logout_user()
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
    return render_template("auth/profile.html", form=form), 422 if form.errors else 200


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
            db.session.commit()
            flash(_("Your password is changed."), "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/password.html", form=form), 422 if form.errors else 200
