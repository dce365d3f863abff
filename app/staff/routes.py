"""Centre staff pages: the exam day (times, roster, check-in, results), places and blocking, and
the centre's dashboard with exports; the templates and closures pages are in `schedule_routes`, on
the same blueprint. Admins may open every centre; staff only their own — anything of another centre
answers 404. Thin: the rules are in `slots`, `exam_day` and `oversight`."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
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
from app.core.acting import Acting
from app.core.clock import utcnow
from app.core.errors import FieldErrors
from app.core.forms import run_action
from app.core.ranges import day_arg
from app.extensions import db
from app.staff import confirming, exam_day, rules, scope, slots
from app.staff.forms import (
    BlockForm,
    CapacityForm,
    CheckInForm,
    DayFilterForm,
    ResultForm,
    weekday_choices,
)

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


def _cancelled(count: int) -> str:
    """The line every blocking confirmation has: what happens to the bookings."""
    if not count:
        return _("No booking is cancelled: nobody has booked these times.")
    return ngettext(
        "%(num)s booking will be cancelled; its applicant is notified and may rebook with priority.",
        "%(num)s bookings will be cancelled; each applicant is notified and may rebook with priority.",
        count,
    )


def _missing_names(booking: Booking) -> str:
    return ", ".join(str(DOCUMENTS[name]) for name in booking.missing_documents)


def _acting() -> Acting:
    """The signed-in staff member or admin acting now, under the booking rules in force."""
    return Acting(db.session, current_user, utcnow(), Policy.from_config(current_app.config))


def _csrf_or_400(form=None) -> None:
    if not (form or ActionForm()).validate_on_submit():
        abort(400)


def _centre_or_404(code: str) -> Centre:
    centre = scope.centre_for(db.session, current_user, code)
    if centre is None:
        abort(404)
    return centre


def _slot_or_404(slot_id: int) -> Slot:
    slot = scope.slot_for(db.session, current_user, slot_id)
    if slot is None:
        abort(404)
    return slot


def _booking_or_404(booking_id: int) -> Booking:
    booking = scope.booking_for(db.session, current_user, booking_id)
    if booking is None:
        abort(404)
    return booking


# --- The exam day ------------------------------------------------------------------------------


def _step(today: date):
    now = utcnow()
    return lambda booking: exam_day.step(booking, today, now)


@bp.get("/centres/<code>/")
def day(code: str):
    """The exam day at a glance: the times (filtered), each with its counts, the next one to start
    highlighted, and everyone due with what may be done now (or why not)."""
    centre = _centre_or_404(code)
    today = centre.local(utcnow()).date()
    shown = day_arg("date", today)
    filters = DayFilterForm(request.args, statuses=[(s.value, STATUS_NAMES[s]) for s in exam_day.ROSTER_STATUSES])
    exam, category = filters.chosen("exam"), filters.chosen("category")
    found = [
        slot
        for slot in slots.day_slots(db.session, centre, shown)
        if exam in (None, slot.exam_type) and category in (None, slot.category)
    ]
    return render_template(
        "staff/day.html",
        centre=centre,
        day=shown,
        today=today,
        slots=found,
        filters=filters,
        counts=exam_day.slot_counts(db.session, [slot.id for slot in found]),
        next_slot=exam_day.next_slot(found, utcnow()) if shown == today else None,
        people=exam_day.day_roster(db.session, found, filters.chosen("status")),
        step=_step(today),
        block_form=BlockForm(),
    )


@bp.post("/centres/<code>/block-day")
def block_day(code: str):
    centre = _centre_or_404(code)
    form = BlockForm()
    shown = day_arg("date", centre.local(utcnow()).date())
    if not form.validate_on_submit():
        flash(_("Give the reason (3 to 300 characters): applicants will read it."), "error")
    elif not confirming.is_confirmed():
        times = slots.blockable(db.session, centre, shown, utcnow())
        return confirming.page(
            title=_("Block %(day)s?", day=format_date(shown, "long")),
            consequences=[
                ngettext(
                    "%(num)s exam time of this day will be closed to booking.",
                    "%(num)s exam times of this day will be closed to booking.",
                    len(times),
                ),
                _cancelled(slots.live_bookings(db.session, [slot.id for slot in times])),
                _("Reason the applicants will read: %(reason)s", reason=form.reason.data),
            ],
            button=_("Block the day"),
            back_url=url_for("staff.day", code=centre.code, date=shown.isoformat()),
            centre=centre,
        )
    else:
        run_action(
            lambda: slots.block_day(_acting(), centre, shown, form.reason.data),
            success=lambda counts: _(
                "%(slots)s exam times blocked, %(cancelled)s bookings cancelled.", slots=counts[0], cancelled=counts[1]
            ),
        )
    return redirect(url_for("staff.day", code=centre.code, date=shown.isoformat()))


def _render_slot(slot: Slot, *, capacity_form=None, block_form=None, status: int = 200):
    return render_template(
        "staff/slot.html",
        slot=slot,
        centre=slot.centre,
        roster=exam_day.roster(db.session, slot),
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
    step = run_action(
        lambda: slots.set_capacity(_acting(), found, form.capacity.data),
        form=form,
        success=lambda previous: _("The time now has %(n)s places.", n=form.capacity.data),
    )
    if step.invalid:
        return _render_slot(found, capacity_form=form, status=422)
    return redirect(url_for("staff.slot", slot_id=slot_id))


@bp.post("/slots/<int:slot_id>/block")
def block(slot_id: int):
    found = _slot_or_404(slot_id)
    form = BlockForm()
    if not confirming.is_confirmed() and form.validate_on_submit():
        return confirming.page(
            title=_("Block this exam time?"),
            consequences=[
                _("Nobody can book this time any more."),
                _cancelled(slots.live_bookings(db.session, [found.id])),
                _("Reason the applicants will read: %(reason)s", reason=form.reason.data),
            ],
            button=_("Block and cancel the bookings"),
            back_url=url_for("staff.slot", slot_id=found.id),
            centre=found.centre,
        )
    step = run_action(
        lambda: slots.block_slot(_acting(), found, form.reason.data),
        form=form,
        success=lambda cancelled: ngettext(
            "The time is blocked; %(num)s booking was cancelled and its applicant notified.",
            "The time is blocked; %(num)s bookings were cancelled and their applicants notified.",
            len(cancelled),
        ),
    )
    if step.invalid:
        return _render_slot(found, block_form=form, status=422)
    return redirect(url_for("staff.slot", slot_id=slot_id))


@bp.post("/slots/<int:slot_id>/no-shows")
def no_shows(slot_id: int):
    found = _slot_or_404(slot_id)
    _csrf_or_400()
    if not confirming.is_confirmed():
        due = sum(booking.status == BookingStatus.CONFIRMED for booking in exam_day.roster(db.session, found))
        return confirming.page(
            title=_("Record the no-shows?"),
            consequences=[
                ngettext(
                    "%(num)s applicant not checked in will be recorded as did not come.",
                    "%(num)s applicants not checked in will be recorded as did not come.",
                    due,
                ),
                _("They are not notified; check-in is no longer possible for them."),
            ],
            button=_("Record the no-shows"),
            back_url=url_for("staff.slot", slot_id=found.id),
            centre=found.centre,
        )
    run_action(
        lambda: exam_day.mark_slot_no_shows(_acting(), found),
        success=lambda count: ngettext("%(num)s no-show recorded.", "%(num)s no-shows recorded.", count),
        category="info",
    )
    return redirect(url_for("staff.slot", slot_id=slot_id))


@bp.get("/slots/<int:slot_id>/roster")
def roster_print(slot_id: int):
    found = _slot_or_404(slot_id)
    return render_template(
        "staff/roster_print.html", slot=found, centre=found.centre, roster=exam_day.roster(db.session, found)
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
        step=exam_day.step(booking, booking.centre.local(utcnow()).date(), utcnow()),
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
    documents = {name: getattr(form, name).data for name in DOCUMENTS}
    if not run_action(lambda: exam_day.check_in(_acting(), found, documents)).done:
        return redirect(url_for("staff.booking", booking_id=booking_id))
    if found.status == BookingStatus.ATTENDED:
        flash(_("Checked in: all documents are there. The applicant is admitted."), "success")
    else:
        flash(_("Not admitted: %(missing)s missing. This is recorded.", missing=_missing_names(found)), "warning")
    return redirect(url_for("staff.slot", slot_id=found.slot_id))


def _passed(booking: Booking, form: ResultForm) -> bool:
    """Theory: the right answers decide; practical: the examiner's verdict, which must be given."""
    if booking.exam_type == ExamType.THEORY:
        return form.points.data is not None and rules.theory_passed(form.points.data)
    verdict = {"yes": True, "no": False}.get(form.passed.data)
    if verdict is None:
        raise FieldErrors({"passed": [_("Choose passed or failed.")]})
    return verdict


@bp.post("/bookings/<int:booking_id>/result")
def result(booking_id: int):
    found = _booking_or_404(booking_id)
    form = ResultForm()
    step = run_action(
        lambda: exam_day.record_result(_acting(), found, _passed(found, form), form.points.data),
        form=form,
        success=_("The result is recorded and the applicant notified."),
    )
    if step.done:
        return redirect(url_for("staff.slot", slot_id=found.slot_id))
    if step.refused:
        return redirect(url_for("staff.booking", booking_id=booking_id))
    return _render_booking(found, result_form=form, status=422)


# The templates and closures pages, the release rounds, the check-in desk and the dashboard with the
# exports join this blueprint (imported last: they use the helpers above).
from app.staff import export_routes, round_routes, schedule_routes, ticket_routes  # noqa: E402, F401
