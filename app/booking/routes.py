"""Applicants' booking pages: centres, calendars, holds, confirmation, tickets, moves, cancellations,
"my bookings" and the waitlist. Thin: the rules are in `holds`, `waitlist`,
`availability` and `eligibility`."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import format_currency, format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.auth.access import per_person_key, role_required
from app.auth.models import Role
from app.booking import availability, blockers, consequences, holds, places, ticket_codes, waitlist
from app.booking.agenda import VIEWS, Agenda, MonthAgenda, Period, switch_days
from app.booking.eligibility import Policy
from app.booking.fee import StateFee
from app.booking.forms import ActionForm, ConfirmForm, EarliestForm, RescheduleForm, SearchForm, WaitlistForm
from app.booking.ics import calendar_response
from app.booking.labels import ACTION_NAMES, DOCUMENTS, EXAM_NAMES, STATUS_NAMES
from app.booking.models import Booking, BookingStatus, Slot
from app.booking.month_grid import month_grid
from app.booking.when import exam_when
from app.centres.services import centres_by_city, find_centre
from app.core.clock import utcnow
from app.core.forms import run_action
from app.core.ranges import day_arg
from app.core.urls import safe_next_url
from app.extensions import db, limiter

bp = Blueprint("booking", __name__, url_prefix="/booking")


@bp.before_request
@role_required(Role.USER)
def applicants_only():
    """Every booking page is for signed-in applicants (others: sign in, or 403)."""


@bp.context_processor
def booking_names():
    return {
        "EXAM_NAMES": EXAM_NAMES,
        "STATUS_NAMES": STATUS_NAMES,
        "ACTION_NAMES": ACTION_NAMES,
        "DOCUMENTS": DOCUMENTS,
        "now": utcnow(),
    }


bp.add_app_template_filter(exam_when, "exam_when")
bp.add_app_template_filter(lambda amount, code: format_currency(amount, code), "currency")
bp.add_app_template_filter(lambda number: format_decimal(number), "decimal")


def _policy() -> Policy:
    return Policy.from_config(current_app.config)


def _booking_limit() -> str:
    return current_app.config["BOOKING_RATE_LIMIT"]


def _own_booking_or_404(booking_id: int) -> Booking:
    booking = holds.own_booking(db.session, current_user, booking_id)
    if booking is None:
        abort(404)
    return booking


def _back(form: ActionForm, fallback: str):
    return redirect(safe_next_url(form.next.data, fallback))


def _confirmation(step: consequences.Consequences, back: str, **fields):
    """The first press of an irreversible step's button: its consequences and a second button
    that posts the same form again with `confirmed=yes`. Nothing has changed yet."""
    return render_template("booking/confirm_step.html", step=step, back=back, fields=fields)


@bp.get("/")
def index():
    centres = centres_by_city(db.session)
    form = EarliestForm(request.args)
    # The city choice is keyed by its English name, which stays the same in every language.
    form.city.choices = [SelectChoice(group[0].city_en, city) for city, group in centres.items()]
    earliest = None
    if form.city.choices and "city" in request.args and form.validate():
        now = utcnow()
        earliest = availability.earliest_free(
            db.session,
            now,
            _policy().booking_open(now),
            city=form.city.data,
            exam_type=form.exam.data,
            category=form.category.data,
        )
    return render_template("booking/index.html", centres=centres, form=form, earliest=earliest)


@bp.get("/centres/<code>")
def centre(code: str):
    found = find_centre(db.session, code)
    if found is None:
        abort(404)
    form = SearchForm(request.args)
    if not form.validate():
        form = SearchForm()
    view = request.args.get("view") if request.args.get("view") in VIEWS else "week"
    now = utcnow()
    # What this person can book: a place the centre cancelled may be rebooked inside the cut-off.
    history = places.booking_history(db.session, current_user.id)
    window = places.booking_window(history, form.exam.data, now, _policy())

    def first_free():
        exam = {"exam_type": form.exam.data, "category": form.category.data}
        return availability.first_free(db.session, now, window, centre=found, **exam)

    # Opened without a date, the calendar starts where the first free place is (else today).
    dated = "date" in request.args
    first = None if dated else first_free()
    period = Period.around(view, day_arg("date", default=first.slot.local_date if first else found.local(now).date()))
    times = availability.ExamTimes(found, form.exam.data, form.category.data, period.first_day, period.last_day)
    if view == "month":
        agenda = MonthAgenda(period, availability.places_by_day(db.session, now, times, window))
        extra = {"month_grid": month_grid(agenda, found, form.exam.data, form.category.data)}
    else:
        agenda = Agenda(period, availability.slot_availability(db.session, now, times), window)
        extra = {}
    # A period with nothing free points to the first place that is.
    if not agenda.has_free_places:
        extra["first_free"] = first_free() if dated else first
    policy = _policy()
    return render_template(
        "booking/centre.html",
        centre=found,
        form=form,
        agenda=agenda,
        standing=blockers.standing(history, found, (form.exam.data, form.category.data), now, policy),
        closed_reason=lambda item: blockers.closed_reason(item, window, now, policy),
        switch_days=switch_days(agenda, found.local(now).date()),
        **extra,
    )


@bp.post("/slots/<int:slot_id>/hold")
@limiter.limit(_booking_limit, key_func=per_person_key)
def hold(slot_id: int):
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    step = run_action(
        lambda: holds.hold_place(db.session, current_user, slot_id, utcnow(), _policy()),
        success=_("The place is held for you. Confirm it before the time runs out."),
    )
    if not step.done:
        return _back(form, url_for("booking.index"))
    return redirect(url_for("booking.detail", booking_id=step.value.id))


@bp.post("/slots/<int:slot_id>/waitlist")
def join_waitlist(slot_id: int):
    form = WaitlistForm()
    if not form.validate_on_submit():
        abort(400)
    step = run_action(
        lambda: waitlist.join_waitlist(
            db.session, current_user, slot_id, utcnow(), _policy(), whole_day=form.scope.data == "day"
        ),
        success=_("You are on the waitlist. When a place frees up, it is held for you and we let you know."),
    )
    if not step.done:
        return _back(form, url_for("booking.index"))
    return redirect(url_for("booking.mine"))


@bp.post("/waitlist/<int:entry_id>/leave")
def leave_waitlist(entry_id: int):
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    if form.confirmed.data != "yes":
        if (entry := waitlist.own_waiting_entry(db.session, current_user, entry_id)) is None:
            abort(404)
        return _confirmation(consequences.of_leaving(entry), url_for("booking.mine"))

    def leave():
        if (left := waitlist.leave_waitlist(db.session, current_user, entry_id)) is None:
            abort(404)  # not theirs, or not waiting: nothing to leave
        return left

    run_action(leave, success=_("You have left the waitlist."), category="info")
    return redirect(url_for("booking.mine"))


@bp.get("/mine")
def mine():
    return render_template(
        "booking/mine.html",
        bookings=holds.user_bookings(db.session, current_user),
        waitlist=waitlist.user_waitlist(db.session, current_user),
        display_status=holds.display_status,
    )


@bp.route("/<int:booking_id>", methods=["GET", "POST"])
def detail(booking_id: int):
    booking = _own_booking_or_404(booking_id)
    form = ConfirmForm()
    step = run_action(
        lambda: holds.confirm(
            db.session,
            booking,
            utcnow(),
            consent_personal_data=form.consent_personal_data.data,
            fee_receipt=form.fee_receipt.data,
        ),
        form=form,
        success=lambda confirmed: _("Your booking is confirmed. Your ticket is %(ticket)s.", ticket=confirmed.ticket),
    )
    if not step.invalid:
        return redirect(url_for("booking.detail", booking_id=booking_id))
    return render_template(
        "booking/detail.html",
        booking=booking,
        form=form,
        status=holds.display_status(booking, utcnow()),
        moves_left=max(0, _policy().max_reschedules - booking.reschedule_count),
        fee=StateFee.from_config(current_app.config),
    ), 422 if form.errors else 200


@bp.get("/<int:booking_id>/print")
def print_ticket(booking_id: int):
    booking = _own_booking_or_404(booking_id)
    if booking.status != BookingStatus.CONFIRMED:
        abort(404)
    return render_template("booking/print.html", booking=booking)


@bp.get("/<int:booking_id>/qr.png")
def ticket_qr(booking_id: int):
    """The ticket's signed QR code, which staff scan at check-in (confirmed bookings only)."""
    booking = _own_booking_or_404(booking_id)
    if booking.status != BookingStatus.CONFIRMED or not booking.ticket:
        abort(404)
    response = Response(ticket_codes.qr_png(booking.ticket, current_app.config["SECRET_KEY"]), mimetype="image/png")
    response.headers["Cache-Control"] = "private, no-store"  # it opens the applicant's booking to staff
    return response


@bp.get("/<int:booking_id>/calendar.ics")
def calendar_file(booking_id: int):
    return calendar_response(_own_booking_or_404(booking_id))


@bp.post("/<int:booking_id>/cancel")
def cancel(booking_id: int):
    booking = _own_booking_or_404(booking_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    if form.confirmed.data != "yes":
        back = url_for("booking.detail", booking_id=booking_id)
        if holds.display_status(booking, utcnow()) not in (BookingStatus.HELD, BookingStatus.CONFIRMED):
            return redirect(back)  # nothing left to cancel: the booking's page says why
        return _confirmation(consequences.of_cancel(booking, utcnow(), _policy()), back)
    run_action(
        lambda: holds.cancel(db.session, booking, utcnow(), _policy()),
        success=_("The booking is cancelled and the place released."),
        category="info",
    )
    return redirect(url_for("booking.detail", booking_id=booking_id))


@bp.route("/<int:booking_id>/reschedule", methods=["GET", "POST"])
def reschedule(booking_id: int):
    booking = _own_booking_or_404(booking_id)
    form = RescheduleForm()
    if form.is_submitted() and form.confirmed.data != "yes" and form.validate():
        slot = db.session.get(Slot, form.slot_id.data)
        if slot is not None and slot.id != booking.slot_id:
            back = url_for("booking.reschedule", booking_id=booking_id, date=slot.local_date.isoformat())
            step = consequences.of_move(booking, slot, _policy())
            return _confirmation(step, back, slot_id=slot.id)
    step = run_action(
        lambda: holds.reschedule(db.session, booking, form.slot_id.data, utcnow(), _policy()),
        form=form,
        success=_("The booking is moved to the new time."),
    )
    if step.done:
        return redirect(url_for("booking.detail", booking_id=booking_id))
    now = utcnow()
    period = Period.around("week", day_arg("date", default=booking.slot.local_date))
    times = availability.ExamTimes(
        booking.centre, booking.exam_type, booking.category, period.first_day, period.last_day
    )
    agenda = Agenda(period, availability.slot_availability(db.session, now, times), _policy().booking_open(now))
    return render_template("booking/reschedule.html", booking=booking, form=form, period=period, agenda=agenda)
