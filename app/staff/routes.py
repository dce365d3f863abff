"""Centre staff pages: the exam day (times, roster, check-in, results), capacity (templates,
closures, places, blocking) and the centre's dashboard with exports. Admins may open every centre;
staff only their own — anything of another centre answers 404. Thin: the rules are in `services`."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.auth import privacy
from app.auth.access import role_required
from app.auth.iin import mask_iin
from app.auth.models import Role
from app.booking.eligibility import Policy
from app.booking.forms import ActionForm
from app.booking.labels import ACTION_NAMES, DOCUMENTS, EXAM_NAMES, STATUS_NAMES
from app.booking.models import Booking, BookingStatus, ExamType, Slot
from app.centres.models import Centre
from app.core.clock import utcnow
from app.core.errors import DomainError, FieldErrors
from app.core.forms import apply_field_errors, flash_refusal
from app.core.ranges import day_arg, period_args
from app.extensions import db
from app.staff import exports, figures, rules, services
from app.staff.forms import (
    BlockForm,
    CapacityForm,
    CheckInForm,
    ClosureForm,
    PeriodForm,
    ResultForm,
    TemplateForm,
    weekday_choices,
)
from app.staff.models import SlotTemplate

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.before_request
@role_required(Role.STAFF, Role.ADMIN)
def staff_and_admins_only():
    """Centre pages are for staff (their centre) and admins (every centre)."""


@bp.context_processor
def staff_names():
    return {
        "EXAM_NAMES": EXAM_NAMES,
        "STATUS_NAMES": STATUS_NAMES,
        "ACTION_NAMES": ACTION_NAMES,
        "DOCUMENTS": DOCUMENTS,
        "WEEKDAYS": {choice.value: choice.label for choice in weekday_choices()},
        "action_form": ActionForm(),
        "mask_iin": mask_iin,
        "missing_names": _missing_names,
        "timedelta": timedelta,
        "now": utcnow(),
    }


def _missing_names(booking: Booking) -> str:
    return ", ".join(str(DOCUMENTS[name]) for name in booking.missing_documents)


def _policy() -> Policy:
    return Policy.from_config(current_app.config)


def _csrf_or_400(form=None) -> None:
    if not (form or ActionForm()).validate_on_submit():
        abort(400)


def _centre_or_404(code: str) -> Centre:
    centre = services.centre_for(db.session, current_user, code)
    if centre is None:
        abort(404)
    return centre


def _slot_or_404(slot_id: int) -> Slot:
    slot = services.slot_for(db.session, current_user, slot_id)
    if slot is None:
        abort(404)
    return slot


def _booking_or_404(booking_id: int) -> Booking:
    booking = services.booking_for(db.session, current_user, booking_id)
    if booking is None:
        abort(404)
    return booking


# --- The exam day ------------------------------------------------------------------------------


@bp.get("/centres/<code>/")
def day(code: str):
    centre = _centre_or_404(code)
    today = centre.local(utcnow()).date()
    shown = day_arg("date", today)
    return render_template(
        "staff/day.html",
        centre=centre,
        day=shown,
        today=today,
        slots=services.day_slots(db.session, centre, shown),
        block_form=BlockForm(),
    )


@bp.post("/centres/<code>/block-day")
def block_day(code: str):
    centre = _centre_or_404(code)
    form = BlockForm()
    shown = day_arg("date", centre.local(utcnow()).date())
    if not form.validate_on_submit():
        flash(_("Give the reason (3 to 300 characters): applicants will read it."), "error")
        return redirect(url_for("staff.day", code=centre.code, date=shown.isoformat()))
    try:
        slots, cancelled = services.block_day(
            db.session, centre, shown, form.reason.data, current_user, utcnow(), _policy()
        )
    except DomainError as error:
        flash_refusal(error)
    else:
        db.session.commit()
        flash(
            _("%(slots)s exam times blocked, %(cancelled)s bookings cancelled.", slots=slots, cancelled=cancelled),
            "success",
        )
    return redirect(url_for("staff.day", code=centre.code, date=shown.isoformat()))


def _render_slot(slot: Slot, *, capacity_form=None, block_form=None, status: int = 200):
    return render_template(
        "staff/slot.html",
        slot=slot,
        centre=slot.centre,
        roster=services.roster(db.session, slot),
        capacity_form=capacity_form or CapacityForm(capacity=slot.capacity),
        block_form=block_form or BlockForm(),
    ), status


@bp.get("/slots/<int:slot_id>")
def slot(slot_id: int):
    return _render_slot(_slot_or_404(slot_id))


@bp.post("/slots/<int:slot_id>/capacity")
def capacity(slot_id: int):
    found = _slot_or_404(slot_id)
    form = CapacityForm()
    if form.validate_on_submit():
        try:
            services.change_capacity(db.session, found, form.capacity.data, current_user, utcnow(), _policy())
        except FieldErrors as error:
            db.session.rollback()
            apply_field_errors(form, error.errors)
        else:
            db.session.commit()
            flash(_("The time now has %(n)s places.", n=form.capacity.data), "success")
            return redirect(url_for("staff.slot", slot_id=slot_id))
    return _render_slot(found, capacity_form=form, status=422)


@bp.post("/slots/<int:slot_id>/block")
def block(slot_id: int):
    found = _slot_or_404(slot_id)
    form = BlockForm()
    if form.validate_on_submit():
        try:
            cancelled = services.block(db.session, found, form.reason.data, current_user, utcnow(), _policy())
        except FieldErrors as error:
            db.session.rollback()
            apply_field_errors(form, error.errors)
        except DomainError as error:
            flash_refusal(error)
            return redirect(url_for("staff.slot", slot_id=slot_id))
        else:
            db.session.commit()
            flash(
                ngettext(
                    "The time is blocked; %(num)s booking was cancelled and its applicant notified.",
                    "The time is blocked; %(num)s bookings were cancelled and their applicants notified.",
                    len(cancelled),
                ),
                "success",
            )
            return redirect(url_for("staff.slot", slot_id=slot_id))
    return _render_slot(found, block_form=form, status=422)


@bp.post("/slots/<int:slot_id>/no-shows")
def no_shows(slot_id: int):
    found = _slot_or_404(slot_id)
    _csrf_or_400()
    try:
        count = services.mark_slot_no_shows(db.session, found, current_user, utcnow())
    except DomainError as error:
        flash_refusal(error)
    else:
        db.session.commit()
        flash(ngettext("%(num)s no-show recorded.", "%(num)s no-shows recorded.", count), "info")
    return redirect(url_for("staff.slot", slot_id=slot_id))


@bp.get("/slots/<int:slot_id>/roster")
def roster_print(slot_id: int):
    found = _slot_or_404(slot_id)
    return render_template(
        "staff/roster_print.html", slot=found, centre=found.centre, roster=services.roster(db.session, found)
    )


def _csv(text: str, filename: str) -> Response:
    return Response(
        exports.BYTE_ORDER_MARK + text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/slots/<int:slot_id>/roster.csv")
def roster_csv(slot_id: int):
    found = _slot_or_404(slot_id)
    local = found.local_starts_at
    return _csv(
        exports.roster_csv(services.roster(db.session, found), found.centre.zone),
        f"roster-{found.centre.code}-{local:%Y%m%d-%H%M}-{found.exam_type}-{found.category}.csv",
    )


def _render_booking(booking: Booking, *, result_form=None, status: int = 200, iin_shown: bool = False):
    result_form = result_form or ResultForm()
    theory = booking.exam_type == ExamType.THEORY
    result_form.points.label.text = _("Right answers (of 40)") if theory else _("Penalty points")
    return render_template(
        "staff/booking.html",
        booking=booking,
        slot=booking.slot,
        centre=booking.centre,
        check_in_form=CheckInForm(data=booking.documents or {}),
        result_form=result_form,
        pass_mark=rules.THEORY_PASS_MARK,
        iin_shown=iin_shown,
    ), status


@bp.get("/bookings/<int:booking_id>")
def booking(booking_id: int):
    return _render_booking(_booking_or_404(booking_id))


@bp.post("/bookings/<int:booking_id>/iin")
def show_iin(booking_id: int):
    """The page again with the applicant's full IIN (to check an identity document); audited."""
    found = _booking_or_404(booking_id)
    privacy.record_iin_shown(db.session, current_user, found, utcnow())
    db.session.commit()
    return _render_booking(found, iin_shown=True)


@bp.post("/bookings/<int:booking_id>/check-in")
def check_in(booking_id: int):
    found = _booking_or_404(booking_id)
    form = CheckInForm()
    _csrf_or_400(form)
    try:
        services.check_in(
            db.session, found, {name: getattr(form, name).data for name in DOCUMENTS}, current_user, utcnow()
        )
    except DomainError as error:
        flash_refusal(error)
        return redirect(url_for("staff.booking", booking_id=booking_id))
    db.session.commit()
    if found.status == BookingStatus.ATTENDED:
        flash(_("Checked in: all documents are there. The applicant is admitted."), "success")
    else:
        flash(_("Not admitted: %(missing)s missing. This is recorded.", missing=_missing_names(found)), "warning")
    return redirect(url_for("staff.slot", slot_id=found.slot_id))


def _passed(booking: Booking, form: ResultForm) -> bool | None:
    """Theory: the right answers decide; practical: the examiner's verdict (None: not given)."""
    if booking.exam_type == ExamType.THEORY:
        return form.points.data is not None and rules.theory_passed(form.points.data)
    return {"yes": True, "no": False}.get(form.passed.data)


@bp.post("/bookings/<int:booking_id>/result")
def result(booking_id: int):
    found = _booking_or_404(booking_id)
    form = ResultForm()
    if form.validate_on_submit():
        passed = _passed(found, form)
        if passed is None:
            form.passed.errors = [_("Choose passed or failed.")]
        else:
            try:
                services.record_result(db.session, found, passed, form.points.data, current_user, utcnow())
            except FieldErrors as error:
                db.session.rollback()
                apply_field_errors(form, error.errors)
            except DomainError as error:
                flash_refusal(error)
                return redirect(url_for("staff.booking", booking_id=booking_id))
            else:
                db.session.commit()
                flash(_("The result is recorded and the applicant notified."), "success")
                return redirect(url_for("staff.slot", slot_id=found.slot_id))
    return _render_booking(found, result_form=form, status=422)


# --- Capacity: templates, generation, closures ---------------------------------------------------


def _template_input(form: TemplateForm) -> rules.TemplateFacts:
    return rules.TemplateFacts(
        weekday=form.weekday.data,
        opens_at=form.opens_at.data,
        closes_at=form.closes_at.data,
        slot_minutes=form.slot_minutes.data,
        capacity=form.capacity.data,
        exam_type=form.exam_type.data,
        categories=tuple(form.categories.data or ()),
        valid_from=form.valid_from.data,
        valid_to=form.valid_to.data,
    )


def _template_page(centre: Centre, form: TemplateForm, template: SlotTemplate | None):
    """Shared by "new" and "edit": Preview shows the slots without saving, Save saves."""
    planned = None
    if form.validate_on_submit():
        try:
            if form.preview.data:
                planned = services.preview(db.session, centre, services.check_template(_template_input(form)), utcnow())
            else:
                services.save_template(db.session, centre, _template_input(form), current_user, utcnow(), template)
                db.session.commit()
                flash(_("The template is saved. Publish its slots when you are ready."), "success")
                return redirect(url_for("staff.templates", code=centre.code))
        except FieldErrors as error:
            db.session.rollback()
            apply_field_errors(form, error.errors)
    elif template is not None and request.method == "GET":
        planned = services.preview(db.session, centre, services.template_facts(template), utcnow())
    return render_template(
        "staff/template_form.html", centre=centre, form=form, template=template, planned=planned
    ), 422 if form.errors else 200


@bp.get("/centres/<code>/templates")
def templates(code: str):
    centre = _centre_or_404(code)
    return render_template(
        "staff/templates.html",
        centre=centre,
        templates=services.centre_templates(db.session, centre),
        horizon=services.DEFAULT_HORIZON_DAYS,
    )


@bp.route("/centres/<code>/templates/new", methods=["GET", "POST"])
def new_template(code: str):
    centre = _centre_or_404(code)
    form = TemplateForm()
    if request.method == "GET":
        form.valid_from.data = centre.local(utcnow()).date()
        form.categories.data = ["B"]
    return _template_page(centre, form, None)


@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
def edit_template(template_id: int):
    template = services.template_for(db.session, current_user, template_id)
    if template is None:
        abort(404)
    form = TemplateForm(obj=template)
    if request.method == "GET":
        form.categories.data = template.category_list
    return _template_page(template.centre, form, template)


@bp.post("/templates/<int:template_id>/delete")
def delete_template(template_id: int):
    template = services.template_for(db.session, current_user, template_id)
    if template is None:
        abort(404)
    _csrf_or_400()
    code = template.centre.code
    services.delete_template(db.session, template, current_user, utcnow())
    db.session.commit()
    flash(_("The template is deleted. Slots already published stay."), "info")
    return redirect(url_for("staff.templates", code=code))


@bp.post("/centres/<code>/generate")
def generate(code: str):
    centre = _centre_or_404(code)
    _csrf_or_400()
    days = services.DEFAULT_HORIZON_DAYS
    added = services.publish_slots(db.session, centre, current_user, utcnow(), days)
    db.session.commit()
    flash(_("%(added)s new exam times published for the next %(days)s days.", added=added, days=days), "success")
    return redirect(url_for("staff.templates", code=centre.code))


@bp.route("/centres/<code>/closures", methods=["GET", "POST"])
def closures(code: str):
    centre = _centre_or_404(code)
    form = ClosureForm()
    if form.validate_on_submit():
        try:
            _closure, removed, blocked = services.add_closure(  # `_` is gettext here
                db.session,
                centre,
                form.first_day.data,
                form.last_day.data,
                form.reason.data,
                current_user,
                utcnow(),
                _policy(),
            )
        except FieldErrors as error:
            db.session.rollback()
            apply_field_errors(form, error.errors)
        else:
            db.session.commit()
            flash(
                _(
                    "The centre is closed on these days: %(removed)s free times removed, %(blocked)s booked times "
                    "blocked and their applicants notified.",
                    removed=removed,
                    blocked=blocked,
                ),
                "success",
            )
            return redirect(url_for("staff.closures", code=centre.code))
    return render_template(
        "staff/closures.html", centre=centre, form=form, closures=services.centre_closures(db.session, centre)
    ), 422 if form.errors else 200


@bp.post("/closures/<int:closure_id>/delete")
def delete_closure(closure_id: int):
    closure = services.closure_for(db.session, current_user, closure_id)
    if closure is None:
        abort(404)
    _csrf_or_400()
    code = closure.centre.code
    services.delete_closure(db.session, closure, current_user, utcnow())
    db.session.commit()
    flash(_("The closure is removed: these days get exam times again at the next generation."), "info")
    return redirect(url_for("staff.closures", code=code))


# --- Oversight -----------------------------------------------------------------------------------


def period_form(today: date) -> PeriodForm:
    """The period asked for (capped), or two weeks back and two weeks ahead."""
    first_day, last_day = period_args("first_day", "last_day", services.default_period(today))
    return PeriodForm(data={"first_day": first_day, "last_day": last_day})


@bp.get("/centres/<code>/dashboard")
def dashboard(code: str):
    centre = _centre_or_404(code)
    form = period_form(centre.local(utcnow()).date())
    found = services.dashboard(db.session, centre, form.first_day.data, form.last_day.data, centre.zone)
    return render_template(
        "staff/dashboard.html",
        centre=centre,
        form=form,
        figures=found,
        chart=figures.utilisation_chart(found.by_day),
        per_centre=None,
    )


@bp.get("/centres/<code>/bookings.csv")
def bookings_csv(code: str):
    centre = _centre_or_404(code)
    form = period_form(centre.local(utcnow()).date())
    first, last = form.first_day.data, form.last_day.data
    return _csv(
        exports.bookings_csv(services.period_bookings(db.session, centre, first, last), centre.zone),
        exports.bookings_filename(centre, first, last),
    )
