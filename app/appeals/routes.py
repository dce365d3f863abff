"""Appeal pages: applicants file, follow, withdraw and complain; centre staff work through their
queue (register, refer, extend, decide). Thin: the rules are in `services` and `deadlines`.

Staff see only the appeals at their own centre (anything else answers 404); admins see all."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.appeals import deadlines, services
from app.appeals.forms import AppealForm, ComplaintForm, DecisionForm, ExtendForm, ReferForm, RegisterForm
from app.appeals.labels import ACTION_NAMES, OUTCOME_NAMES, STATUS_NAMES, STEP_NAMES, SUBJECT_NAMES, URGENCY_NAMES
from app.appeals.models import Appeal, Subject
from app.auth import privacy
from app.auth.access import role_required
from app.auth.iin import mask_iin
from app.auth.models import Role
from app.booking.forms import ActionForm
from app.booking.holds import own_booking
from app.booking.labels import EXAM_NAMES
from app.centres.models import Centre
from app.core.clock import utcnow
from app.core.errors import DomainError, FieldErrors
from app.core.forms import apply_field_errors, flash_refusal
from app.extensions import db

bp = Blueprint("appeals", __name__, url_prefix="/appeals")
staff_bp = Blueprint("appeals_staff", __name__, url_prefix="/staff/appeals")


@bp.before_request
@role_required(Role.USER)
def applicants_only():
    """The applicant's pages are for signed-in applicants (others: sign in, or 403)."""


@staff_bp.before_request
@role_required(Role.STAFF, Role.ADMIN)
def staff_only():
    """The queue and the cases are for centre staff and admins."""


def _names():
    return {
        "SUBJECT_NAMES": SUBJECT_NAMES,
        "APPEAL_STATUS_NAMES": STATUS_NAMES,
        "OUTCOME_NAMES": OUTCOME_NAMES,
        "STEP_NAMES": STEP_NAMES,
        "URGENCY_NAMES": URGENCY_NAMES,
        "APPEAL_ACTION_NAMES": ACTION_NAMES,
        "TERMS": deadlines,
        "EXAM_NAMES": EXAM_NAMES,
        "pending_step": services.pending_step,
        "action_form": ActionForm(),
    }


bp.context_processor(_names)
staff_bp.context_processor(_names)


def _submit(form: FlaskForm, action: Callable[[], object], success: str, done_url: str) -> Response | None:
    """Run `action` for a valid `form`, then commit, flash `success` and go to `done_url`; a refusal
    is flashed and goes there too. None (show the page again) for an invalid form or field errors,
    which `action`'s service puts on the form."""
    if not form.validate_on_submit():
        return None
    try:
        action()
    except FieldErrors as error:
        db.session.rollback()
        apply_field_errors(form, error.errors)
        return None
    except DomainError as error:
        flash_refusal(error)
    else:
        db.session.commit()
        flash(success, "success")
    return redirect(done_url)


def _centre_choices(exclude_id: int | None = None) -> list[SelectChoice]:
    centres = db.session.scalars(select(Centre).order_by(Centre.code))
    return [SelectChoice(c.code, f"{c.name} ({c.city})") for c in centres if c.id != exclude_id]


# --- Applicants ---------------------------------------------------------------------------------


def _own_appeal_or_404(appeal_id: int) -> Appeal:
    appeal = services.own_appeal(db.session, current_user, appeal_id)
    if appeal is None:
        abort(404)
    return appeal


@bp.get("/")
def mine():
    return render_template("appeals/mine.html", appeals=services.user_appeals(db.session, current_user))


@bp.route("/new", methods=["GET", "POST"])
def new():
    """File an appeal: from a booking (`?booking=ID`), or about a refused booking at a chosen centre."""
    booking = None
    form = AppealForm()
    if booking_id := request.args.get("booking", type=int):
        booking = own_booking(db.session, current_user, booking_id)
        if booking is None:
            abort(404)
        del form.centre  # the booking's centre is the body addressed
    else:
        form.centre.choices = _centre_choices()
    if form.validate_on_submit():
        filing = services.Filing(
            subject=services.subject_of(booking) if booking else Subject.BOOKING.value,
            booking_id=booking.id if booking else None,
            centre_code=None if booking else form.centre.data,
            essence=form.essence.data,
            postal_address=form.postal_address.data,
            confirmed=form.confirmed.data,
        )
        try:
            appeal = services.file_appeal(db.session, current_user, filing, utcnow())
        except FieldErrors as error:
            db.session.rollback()
            apply_field_errors(form, error.errors)
        except DomainError as error:  # a duplicate or too many today: said above the form
            db.session.rollback()
            form.form_errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Your appeal is received. Its number is %(number)s.", number=appeal.receipt_number), "success")
            return redirect(url_for("appeals.detail", appeal_id=appeal.id))
    return render_template(
        "appeals/new.html",
        form=form,
        booking=booking,
        subject=services.subject_of(booking) if booking else Subject.BOOKING,
        zone=booking.centre.timezone if booking else current_app.config["BABEL_DEFAULT_TIMEZONE"],
        today=utcnow(),
    ), 422 if form.errors else 200


def _detail_page(appeal: Appeal, complaint_form: ComplaintForm | None = None):
    complaint_form = complaint_form or ComplaintForm()
    return render_template(
        "appeals/detail.html",
        appeal=appeal,
        complaint_form=complaint_form,
        complaint_late=services.complaint_is_late(appeal, utcnow()),
    ), 422 if complaint_form.errors else 200


@bp.get("/<int:appeal_id>")
def detail(appeal_id: int):
    return _detail_page(_own_appeal_or_404(appeal_id))


@bp.post("/<int:appeal_id>/withdraw")
def withdraw(appeal_id: int):
    appeal = _own_appeal_or_404(appeal_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.withdraw(db.session, appeal, utcnow())
    except DomainError as error:
        flash_refusal(error)
    else:
        db.session.commit()
        flash(_("Your appeal is withdrawn."), "info")
    return redirect(url_for("appeals.detail", appeal_id=appeal_id))


@bp.post("/<int:appeal_id>/complaint")
def complain(appeal_id: int):
    appeal = _own_appeal_or_404(appeal_id)
    form = ComplaintForm()
    return _submit(
        form,
        lambda: services.file_complaint(db.session, appeal, form.essence.data, form.late_reason.data, utcnow()),
        _("Your complaint is received."),
        url_for("appeals.detail", appeal_id=appeal_id),
    ) or _detail_page(appeal, form)


# --- Centre staff -------------------------------------------------------------------------------


def _case_or_404(appeal_id: int) -> Appeal:
    appeal = services.appeal_for_staff(db.session, current_user, appeal_id)
    if appeal is None:
        abort(404)
    return appeal


@staff_bp.get("/")
def queue():
    return render_template(
        "appeals/queue.html", items=services.centre_queue(db.session, current_user, utcnow()), mask_iin=mask_iin
    )


# The form of each staff step, by the name the case page knows it by; the prefixes keep apart the
# fields of the several forms on that one page.
_STEP_FORMS: dict[str, Callable[[], FlaskForm]] = {
    "register_form": lambda: RegisterForm(prefix="register"),
    "refer_form": lambda: ReferForm(prefix="refer"),
    "extend_form": lambda: ExtendForm(prefix="extend"),
    "decision_form": lambda: DecisionForm(prefix="decide"),
    "complaint_form": lambda: DecisionForm(prefix="complaint"),
}


def _case_page(appeal: Appeal, *, iin_shown: bool = False, **submitted: FlaskForm):
    """The case with a form for every step; `submitted` carries a form that came back with errors."""
    forms = {name: make() for name, make in _STEP_FORMS.items()} | submitted
    if not forms["register_form"].position.data:
        forms["register_form"].position.data = services.last_position(db.session, current_user)
    forms["refer_form"].centre.choices = _centre_choices(exclude_id=appeal.centre_id)
    today = services.local_day(appeal.centre, utcnow())
    pending = services.pending_step(appeal)
    return render_template(
        "appeals/case.html",
        appeal=appeal,
        pending=pending,
        urgency=deadlines.urgency(pending.due, today) if pending else None,
        latest_extension=deadlines.latest_extension(appeal.received_on),
        iin_shown=iin_shown,
        **forms,
    ), 422 if submitted else 200


def _staff_step(appeal_id: int, form_name: str, step: Callable[[Appeal, FlaskForm], object], success: str):
    """Run `step(appeal, form)` with the submitted form of `_STEP_FORMS[form_name]`; field errors
    show the case page again."""
    appeal = _case_or_404(appeal_id)
    form = _STEP_FORMS[form_name]()
    if hasattr(form, "centre"):
        form.centre.choices = _centre_choices(exclude_id=appeal.centre_id)
    return _submit(
        form, lambda: step(appeal, form), success, url_for("appeals_staff.case", appeal_id=appeal_id)
    ) or _case_page(appeal, **{form_name: form})


@staff_bp.get("/<int:appeal_id>")
def case(appeal_id: int):
    return _case_page(_case_or_404(appeal_id))


@staff_bp.post("/<int:appeal_id>/iin")
def show_iin(appeal_id: int):
    """The case again with the applicant's full IIN; audited."""
    appeal = _case_or_404(appeal_id)
    privacy.record_iin_shown(db.session, current_user, appeal, utcnow())
    db.session.commit()
    return _case_page(appeal, iin_shown=True)


@staff_bp.post("/<int:appeal_id>/register")
def register(appeal_id: int):
    return _staff_step(
        appeal_id,
        "register_form",
        lambda appeal, form: services.register(db.session, appeal, current_user, form.position.data, utcnow()),
        _("The appeal is registered; the applicant is notified."),
    )


@staff_bp.post("/<int:appeal_id>/refer")
def refer(appeal_id: int):
    return _staff_step(
        appeal_id,
        "refer_form",
        lambda appeal, form: services.refer(
            db.session, appeal, current_user, form.centre.data, form.note.data, utcnow()
        ),
        _("The appeal is referred to the competent centre; the applicant is notified."),
    )


@staff_bp.post("/<int:appeal_id>/extend")
def extend(appeal_id: int):
    return _staff_step(
        appeal_id,
        "extend_form",
        lambda appeal, form: services.extend(
            db.session, appeal, current_user, form.until.data, form.reason.data, utcnow()
        ),
        _("The decision term is extended; the applicant is notified."),
    )


@staff_bp.post("/<int:appeal_id>/decide")
def decide(appeal_id: int):
    return _staff_step(
        appeal_id,
        "decision_form",
        lambda appeal, form: services.decide(
            db.session, appeal, current_user, form.outcome.data, form.reasons.data, utcnow()
        ),
        _("The decision is sent to the applicant."),
    )


@staff_bp.post("/<int:appeal_id>/complaint")
def decide_complaint(appeal_id: int):
    return _staff_step(
        appeal_id,
        "complaint_form",
        lambda appeal, form: services.decide_complaint(
            db.session, appeal, current_user, form.outcome.data, form.reasons.data, utcnow()
        ),
        _("The decision on the complaint is sent to the applicant."),
    )
