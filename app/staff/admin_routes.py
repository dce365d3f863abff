"""Admin pages: exam centres, staff accounts, the audit log and the dashboard across centres.
(Exam profiles are edited at /exam/profiles/<code>, linked from the admin home.)"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.audit.services import entries
from app.auth import privacy
from app.auth import services as auth_services
from app.auth.access import role_required
from app.auth.models import Role, User
from app.booking.forms import ActionForm
from app.centres.models import Centre
from app.centres.services import find_centre, save_centre
from app.core.acting import Acting
from app.core.clock import utcnow
from app.core.errors import FieldErrors
from app.core.forms import apply_field_errors
from app.core.ranges import page_arg
from app.extensions import db
from app.staff import accounts, figures, oversight
from app.staff.forms import CentreForm, StaffForm
from app.staff.labels import AUDIT_ACTIONS
from app.staff.routes import period_form

bp = Blueprint("admin", __name__, url_prefix="/admin")

AUDIT_PER_PAGE = 50


@bp.before_request
@role_required(Role.ADMIN)
def admins_only():
    """Every page here is for administrators."""


def _centres() -> list[Centre]:
    return list(db.session.scalars(select(Centre).order_by(Centre.code)))


@bp.route("/centres", methods=["GET", "POST"])
def centres():
    form = CentreForm()
    if form.validate_on_submit():
        try:
            centre = save_centre(Acting(db.session, current_user, utcnow()), form.data)
        except FieldErrors as error:
            db.session.rollback()
            apply_field_errors(form, error.errors)
        else:
            db.session.commit()
            flash(_("The centre %(code)s is created. Add its weekly templates next.", code=centre.code), "success")
            return redirect(url_for("admin.centres"))
    return render_template("admin/centres.html", form=form, centres=_centres()), 422 if form.errors else 200


@bp.route("/centres/<code>", methods=["GET", "POST"])
def edit_centre(code: str):
    centre = find_centre(db.session, code)
    if centre is None:
        abort(404)
    form = CentreForm(obj=centre)
    del form.code  # the code never changes
    if form.validate_on_submit():
        save_centre(Acting(db.session, current_user, utcnow()), form.data, centre)
        db.session.commit()
        flash(_("The centre is saved."), "success")
        return redirect(url_for("admin.centres"))
    return render_template("admin/centre_edit.html", form=form, centre=centre), 422 if form.errors else 200


@bp.route("/staff", methods=["GET", "POST"])
@privacy.no_store  # the form comes back with the IIN typed in
def staff():
    form = StaffForm()
    form.centre.choices = [SelectChoice(centre.code, f"{centre.code} · {centre.name}") for centre in _centres()]
    if form.validate_on_submit():
        try:
            accounts.create_staff(
                Acting(db.session, current_user, utcnow()),
                auth_services.Registration(
                    email=form.email.data,
                    password=form.password.data,
                    full_name=form.full_name.data,
                    iin=form.iin.data,
                ),
                find_centre(db.session, form.centre.data),
            )
        except FieldErrors as error:
            db.session.rollback()
            apply_field_errors(form, error.errors)
        else:
            db.session.commit()
            flash(_("The staff account is created."), "success")
            return redirect(url_for("admin.staff"))
    return render_template(
        "admin/staff.html", form=form, accounts=accounts.staff_accounts(db.session), action_form=ActionForm()
    ), 422 if form.errors else 200


@bp.post("/staff/<int:user_id>/active")
def set_active(user_id: int):
    user = db.session.get(User, user_id)
    if user is None or user.role != Role.STAFF:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    accounts.set_staff_active(Acting(db.session, current_user, utcnow()), user, active)
    db.session.commit()
    flash(_("The account is active again.") if active else _("The account is deactivated."), "info")
    return redirect(url_for("admin.staff"))


@bp.get("/audit")
def audit():
    centre = find_centre(db.session, request.args.get("centre", "")) if request.args.get("centre") else None
    action = request.args.get("action") if request.args.get("action") in AUDIT_ACTIONS else None
    page = db.paginate(
        entries(centre_id=centre.id if centre else None, action=action),
        page=page_arg(),
        per_page=AUDIT_PER_PAGE,
    )
    return render_template(
        "admin/audit.html", page=page, centres=_centres(), centre=centre, action=action, AUDIT_ACTIONS=AUDIT_ACTIONS
    )


@bp.get("/dashboard")
def dashboard():
    """Every centre's figures side by side, and all together (days in the default zone, Almaty)."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    form = period_form(utcnow().astimezone(zone).date())
    first, last = form.first_day.data, form.last_day.data
    overall = oversight.dashboard(db.session, None, first, last, zone)
    per_centre = [(centre, oversight.dashboard(db.session, centre, first, last, centre.zone)) for centre in _centres()]
    return render_template(
        "staff/dashboard.html",
        centre=None,
        form=form,
        figures=overall,
        chart=figures.utilisation_chart(overall.by_day),
        per_centre=per_centre,
    )
