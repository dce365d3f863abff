"""Home, language switch, health check, and the staff and admin home pages."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select, text

from app.auth import services as auth_services
from app.auth.access import role_required
from app.auth.models import Role, User
from app.centres.models import Centre
from app.core.i18n import supported_languages
from app.core.ranges import page_arg
from app.core.urls import safe_next_url
from app.exam.models import ExamProfile
from app.extensions import db

bp = Blueprint("main", __name__)

USERS_PER_PAGE = 25


@bp.get("/")
def index():
    return render_template("main/index.html")


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


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means "not healthy"
        current_app.logger.warning("health check: database unreachable")
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")


@bp.get("/staff/")
@role_required(Role.STAFF)
def staff_home():
    return render_template("main/staff_home.html", centre=current_user.centre)


@bp.get("/admin/")
@role_required(Role.ADMIN)
def admin_home():
    page = page_arg()
    users = db.paginate(
        select(User).order_by(User.created_at.desc(), User.id.desc()), page=page, per_page=USERS_PER_PAGE
    )
    centres = db.session.scalars(select(Centre).order_by(Centre.code)).all()
    counts = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    profiles = db.session.scalars(select(ExamProfile).order_by(ExamProfile.code)).all()
    return render_template("main/admin_home.html", users=users, centres=centres, counts=counts, profiles=profiles)
