"""Home, language switch, and the staff home page."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth import services as auth_services
from app.auth.access import role_required
from app.auth.models import Role
from app.booking import holds
from app.booking.labels import EXAM_NAMES
from app.core.clock import utcnow
from app.core.i18n import supported_languages
from app.core.urls import safe_next_url
from app.exam import profiles
from app.extensions import db
from app.main.learner_home import learner_home

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """Anonymous visitors: a trial exam in one tap and what Kezek offers; learners: their page."""
    if current_user.is_authenticated and current_user.role == Role.USER:
        return render_template(
            "main/learner_home.html",
            home=learner_home(db.session, current_user, utcnow()),
            display_status=holds.display_status,
            EXAM_NAMES=EXAM_NAMES,
            now=utcnow(),
        )
    all_profiles = profiles.all_profiles(db.session)
    default = "B" if any(p.code == "B" for p in all_profiles) else (all_profiles[0].code if all_profiles else None)
    return render_template("main/index.html", profiles=all_profiles, default_profile=default)


@bp.post("/language")
def set_language():
    language = request.form.get("lang", "")
    if language not in supported_languages():
        abort(400)
    response = redirect(safe_next_url(request.form.get("next"), url_for("main.index")))
    response.set_cookie(
        current_app.config["LANGUAGE_COOKIE"],
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
    )
    if current_user.is_authenticated:
        auth_services.set_language(current_user, language)
        db.session.commit()
    return response


@bp.get("/staff/")
@role_required(Role.STAFF)
def staff_home():
    return render_template("main/staff_home.html", centre=current_user.centre)
