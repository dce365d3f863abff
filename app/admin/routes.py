"""Admin pages: the overview of accounts and centres, exam centres, staff accounts, the audit log,
the dashboard across centres, and the background jobs with the outbox's failures.
(Exam profiles are edited at /exam/profiles/<code>, linked from the overview.)"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from app.admin.labels import OUTBOX_NAMES, ROLE_NAMES, WAITLIST_NAMES
from app.admin.people import FoundBy, find_person, person_file
from app.appeals.labels import STATUS_NAMES as APPEAL_STATUS_NAMES
from app.audit.services import entries
from app.auth import privacy
from app.auth import services as auth_services
from app.auth.access import role_required
from app.auth.iin import mask_iin
from app.auth.models import Role, User
from app.booking.forms import ActionForm
from app.booking.labels import EXAM_NAMES
from app.booking.labels import STATUS_NAMES as BOOKING_STATUS_NAMES
from app.centres.models import Centre
from app.centres.services import find_centre, save_centre
from app.core.acting import Acting
from app.core.clock import utcnow
from app.core.errors import FieldErrors
from app.core.forms import apply_field_errors
from app.core.ranges import page_arg
from app.exam.models import ExamProfile
from app.extensions import db
from app.jobs.models import JobRun, apscheduler_jobs
from app.jobs.tasks import JOBS
from app.notify import channels, delivery
from app.notify.content import subject_of
from app.notify.models import OutboxMessage
from app.staff import accounts, confirming
from app.staff.export_routes import dashboard_page
from app.staff.forms import CentreForm, PersonSearchForm, StaffForm
from app.staff.labels import AUDIT_ACTIONS
from app.staff.schedule import exam_hours

bp = Blueprint("admin", __name__, url_prefix="/admin")

AUDIT_PER_PAGE = 50
USERS_PER_PAGE = 25


@bp.context_processor
def admin_names():
    return {"ROLE_NAMES": ROLE_NAMES, "OUTBOX_NAMES": OUTBOX_NAMES}


@bp.before_request
@role_required(Role.ADMIN)
def admins_only():
    """Every page here is for administrators."""


@bp.get("/")
def home():
    page = page_arg()
    users = db.paginate(
        select(User).options(joinedload(User.centre)).order_by(User.created_at.desc(), User.id.desc()),
        page=page,
        per_page=USERS_PER_PAGE,
    )
    centres = db.session.scalars(select(Centre).order_by(Centre.code)).all()
    counts = {
        row.role: row.count
        for row in db.session.execute(select(User.role, func.count().label("count")).group_by(User.role))
    }
    profiles = db.session.scalars(select(ExamProfile).order_by(ExamProfile.code)).all()
    return render_template("admin/home.html", users=users, centres=centres, counts=counts, profiles=profiles)


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
        try:
            save_centre(Acting(db.session, current_user, utcnow()), form.data, centre, exam_hours(db.session, centre))
        except FieldErrors as error:
            db.session.rollback()
            apply_field_errors(form, error.errors)
        else:
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
    if not active and not confirming.is_confirmed():
        return confirming.page(
            title=_("Deactivate %(name)s?", name=user.full_name),
            consequences=[
                _("%(email)s can no longer sign in; their open sessions and API tokens end now.", email=user.email),
                _("No booking or appeal is changed; the account can be reactivated later."),
            ],
            button=_("Deactivate the account"),
            back_url=url_for("admin.staff"),
            admin=True,
        )
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
    return dashboard_page(None, ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]), _centres())


@bp.route("/people", methods=["GET", "POST"])
@privacy.no_store
def people():
    """Look a person up by e-mail, full IIN or ticket; found: their file (the look is audited)."""
    form = PersonSearchForm()
    status = 200
    if form.validate_on_submit():
        user, found_by = find_person(db.session, form.query.data)
        if user is not None:
            return redirect(url_for("admin.person", user_id=user.id, by=found_by.value))
        form.query.errors = [
            _("Nobody has this e-mail, IIN or ticket.")
            if found_by
            else _("Type a whole e-mail address, a 12-digit IIN or a ticket number.")
        ]
        status = 404 if found_by else 422
    elif form.errors:
        status = 422
    return render_template("admin/people.html", form=form), status


@bp.get("/people/<int:user_id>")
@privacy.no_store
def person(user_id: int):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    found_by = request.args.get("by") if request.args.get("by") in set(FoundBy) else "link"
    found = person_file(Acting(db.session, current_user, utcnow()), user, found_by)
    db.session.commit()
    return render_template(
        "admin/person.html",
        file=found,
        WAITLIST_NAMES=WAITLIST_NAMES,
        BOOKING_STATUS_NAMES=BOOKING_STATUS_NAMES,
        EXAM_NAMES=EXAM_NAMES,
        APPEAL_STATUS_NAMES=APPEAL_STATUS_NAMES,
        mask_iin=mask_iin,
        subject_of=subject_of,
    )


@bp.get("/jobs")
def jobs():
    runs = {run.job_id: run for run in db.session.scalars(select(JobRun))}
    next_runs = {
        row.id: row.next_run_time
        for row in db.session.execute(select(apscheduler_jobs.c.id, apscheduler_jobs.c.next_run_time))
    }
    counts = {
        row.status: row.count
        for row in db.session.execute(
            select(OutboxMessage.status, func.count().label("count")).group_by(OutboxMessage.status)
        )
    }
    oldest_due = db.session.scalar(
        select(func.min(OutboxMessage.due_at)).where(OutboxMessage.status == delivery.Status.PENDING)
    )
    failed = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == delivery.Status.FAILED)
        .order_by(OutboxMessage.id.desc())
        .limit(50)
    ).all()
    # count(column) counts the rows where it is set: one scan for every channel.
    sent_counts = db.session.execute(
        select(*(func.count(getattr(OutboxMessage, f"{channel}_sent_at")) for channel in channels.ALL))
    ).one()
    sent_by_channel = dict(zip(channels.ALL, sent_counts, strict=True))
    return render_template(
        "admin/jobs.html",
        sent_by_channel=sent_by_channel,
        channel_names=channels.NAMES,
        states_of=delivery.channel_states,
        jobs=JOBS,
        runs=runs,
        next_runs=next_runs,
        counts=counts,
        oldest_due=oldest_due,
        now=utcnow(),
        failed=failed,
    )


@bp.post("/outbox/<int:message_id>/retry")
def retry(message_id: int):
    if not delivery.retry_failed(db.session, message_id, utcnow()):
        abort(404)
    db.session.commit()
    flash(_("The message will be sent again."), "success")
    return redirect(url_for("admin.jobs"))
