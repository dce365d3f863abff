"""Appeal pages: applicants file, follow, withdraw and complain; centre staff work through their
queue (register, refer, extend, decide). Thin: the rules are in `services` and `deadlines`.

Staff see only the appeals at their own centre (anything else answers 404); admins see all."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.appeals import applicant_steps, centre_steps, deadlines, finding
from app.appeals.filing import Filing, file_appeal, subject_of
from app.appeals.forms import AppealForm, ComplaintForm, DecisionForm, ExtendForm, ReferForm, RegisterForm
from app.appeals.labels import ACTION_NAMES, OUTCOME_NAMES, STATUS_NAMES, STEP_NAMES, SUBJECT_NAMES, URGENCY_NAMES
from app.appeals.models import Appeal, Subject
from app.appeals.step_rules import local_day
from app.auth import privacy
from app.auth.access import role_required
from app.auth.iin import mask_iin
from app.auth.models import Role
from app.booking.forms import ActionForm
from app.booking.holds import own_booking
from app.booking.labels import EXAM_NAMES
from app.booking.models import Booking
from app.centres.models import Centre
from app.core.acting import Acting
from app.core.clock import utcnow
from app.core.errors import DomainError, FieldErrors
from app.core.forms import run_action
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
        "pending_step": finding.pending_step,
        "action_form": ActionForm(),
    }


bp.context_processor(_names)
staff_bp.context_processor(_names)


def _acting() -> Acting:
    return Acting(db.session, current_user, utcnow())


def _centre_choices(exclude_id: int | None = None) -> list[SelectChoice]:
    centres = db.session.scalars(select(Centre).order_by(Centre.code))
    return [SelectChoice(c.code, f"{c.name} ({c.city})") for c in centres if c.id != exclude_id]


# --- Applicants ---------------------------------------------------------------------------------


def _own_appeal_or_404(appeal_id: int) -> Appeal:
    appeal = finding.own_appeal(db.session, current_user, appeal_id)
    if appeal is None:
        abort(404)
    return appeal


@bp.get("/")
def mine():
    return render_template("appeals/mine.html", appeals=finding.user_appeals(db.session, current_user))


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
    step = run_action(
        lambda: _file(booking, form),
        form=form,
        success=lambda appeal: _("Your appeal is received. Its number is %(number)s.", number=appeal.receipt_number),
    )
    if step.done:
        return redirect(url_for("appeals.detail", appeal_id=step.value.id))
    return render_template(
        "appeals/new.html",
        form=form,
        booking=booking,
        subject=subject_of(booking) if booking else Subject.BOOKING,
        zone=booking.centre.timezone if booking else current_app.config["BABEL_DEFAULT_TIMEZONE"],
        today=utcnow(),
    ), 422 if form.errors else 200


def _file(booking: Booking | None, form: AppealForm) -> Appeal:
    filing = Filing(
        subject=subject_of(booking) if booking else Subject.BOOKING.value,
        booking_id=booking.id if booking else None,
        centre_code=None if booking else form.centre.data,
        essence=form.essence.data,
        postal_address=form.postal_address.data,
        confirmed=form.confirmed.data,
    )
    try:
        return file_appeal(_acting(), filing)
    except FieldErrors:
        raise
    except DomainError as error:
        # A duplicate, or too many today: said above the form, which keeps what was typed (a
        # message on the next page would lose it). Errors for no field of the form go on top.
        raise FieldErrors({"": [error.message]}) from error


def _detail_page(appeal: Appeal, complaint_form: ComplaintForm | None = None):
    complaint_form = complaint_form or ComplaintForm()
    return render_template(
        "appeals/detail.html",
        appeal=appeal,
        complaint_form=complaint_form,
        complaint_late=applicant_steps.complaint_is_late(appeal, utcnow()),
    ), 422 if complaint_form.errors else 200


@bp.get("/<int:appeal_id>")
def detail(appeal_id: int):
    return _detail_page(_own_appeal_or_404(appeal_id))


@bp.post("/<int:appeal_id>/withdraw")
def withdraw(appeal_id: int):
    appeal = _own_appeal_or_404(appeal_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    run_action(
        lambda: applicant_steps.withdraw(_acting(), appeal), success=_("Your appeal is withdrawn."), category="info"
    )
    return redirect(url_for("appeals.detail", appeal_id=appeal_id))


@bp.post("/<int:appeal_id>/complaint")
def complain(appeal_id: int):
    appeal = _own_appeal_or_404(appeal_id)
    form = ComplaintForm()
    step = run_action(
        lambda: applicant_steps.file_complaint(_acting(), appeal, form.essence.data, form.late_reason.data),
        form=form,
        success=_("Your complaint is received."),
    )
    if step.invalid:
        return _detail_page(appeal, form)
    return redirect(url_for("appeals.detail", appeal_id=appeal_id))


# --- Centre staff -------------------------------------------------------------------------------


def _case_or_404(appeal_id: int) -> Appeal:
    appeal = finding.appeal_for_staff(db.session, current_user, appeal_id)
    if appeal is None:
        abort(404)
    return appeal


@staff_bp.get("/")
def queue():
    return render_template(
        "appeals/queue.html", items=finding.centre_queue(db.session, current_user, utcnow()), mask_iin=mask_iin
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
        forms["register_form"].position.data = finding.last_position(db.session, current_user)
    forms["refer_form"].centre.choices = _centre_choices(exclude_id=appeal.centre_id)
    today = local_day(appeal.centre, utcnow())
    pending = finding.pending_step(appeal)
    return render_template(
        "appeals/case.html",
        appeal=appeal,
        pending=pending,
        urgency=deadlines.urgency(pending.due, today) if pending else None,
        latest_extension=deadlines.latest_extension(appeal.received_on),
        iin_shown=iin_shown,
        **forms,
    ), 422 if submitted else 200


def _staff_step(appeal_id: int, form_name: str, step: Callable[[Acting, Appeal, FlaskForm], object], success: str):
    """Run `step(acting, appeal, form)` with the submitted form of `_STEP_FORMS[form_name]`; field
    errors show the case page again, anything else goes back to the case."""
    appeal = _case_or_404(appeal_id)
    form = _STEP_FORMS[form_name]()
    if hasattr(form, "centre"):
        form.centre.choices = _centre_choices(exclude_id=appeal.centre_id)
    if run_action(lambda: step(_acting(), appeal, form), form=form, success=success).invalid:
        return _case_page(appeal, **{form_name: form})
    return redirect(url_for("appeals_staff.case", appeal_id=appeal_id))


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
        lambda acting, appeal, form: centre_steps.register(acting, appeal, form.position.data),
        _("The appeal is registered; the applicant is notified."),
    )


@staff_bp.post("/<int:appeal_id>/refer")
def refer(appeal_id: int):
    return _staff_step(
        appeal_id,
        "refer_form",
        lambda acting, appeal, form: centre_steps.refer(acting, appeal, form.centre.data, form.note.data),
        _("The appeal is referred to the competent centre; the applicant is notified."),
    )


@staff_bp.post("/<int:appeal_id>/extend")
def extend(appeal_id: int):
    return _staff_step(
        appeal_id,
        "extend_form",
        lambda acting, appeal, form: centre_steps.extend(acting, appeal, form.until.data, form.reason.data),
        _("The decision term is extended; the applicant is notified."),
    )


@staff_bp.post("/<int:appeal_id>/decide")
def decide(appeal_id: int):
    return _staff_step(
        appeal_id,
        "decision_form",
        lambda acting, appeal, form: centre_steps.decide(acting, appeal, form.outcome.data, form.reasons.data),
        _("The decision is sent to the applicant."),
    )


@staff_bp.post("/<int:appeal_id>/complaint")
def decide_complaint(appeal_id: int):
    return _staff_step(
        appeal_id,
        "complaint_form",
        lambda acting, appeal, form: centre_steps.decide_complaint(
            acting, appeal, form.outcome.data, form.reasons.data
        ),
        _("The decision on the complaint is sent to the applicant."),
    )
