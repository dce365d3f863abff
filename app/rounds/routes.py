"""The fair-release pages: the rounds of every centre, a round with the request form (ordered
choices without JavaScript: selects, and up/down buttons for a saved request), "my requests", and
the public results with their verification. Thin: the rules are in `requesting` and `drawing`."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.auth.access import per_person_key, role_required
from app.auth.models import Role
from app.booking.eligibility import Policy
from app.booking.forms import ActionForm
from app.booking.labels import EXAM_NAMES
from app.booking.models import Slot
from app.centres.services import find_centre
from app.core.clock import utcnow
from app.core.errors import DomainError
from app.core.forms import run_action
from app.extensions import db, limiter
from app.rounds import announcing, requesting, verifying
from app.rounds.forms import MoveForm, RequestForm, choice_value
from app.rounds.labels import choice_label, day_part_label, outcome_name, phase_name
from app.rounds.lottery import PARTS, DayPart
from app.rounds.models import ReleaseRound, RoundRequest

bp = Blueprint("rounds", __name__, url_prefix="/rounds")


@bp.context_processor
def round_names():
    return {"EXAM_NAMES": EXAM_NAMES, "phase_name": phase_name, "outcome_name": outcome_name, "now": utcnow()}


def _policy() -> Policy:
    return Policy.from_config(current_app.config)


def _round_or_404(round_id: int) -> ReleaseRound:
    try:
        return announcing.find_round(db.session, round_id)
    except DomainError:
        abort(404)


def _slot_label(slot: Slot) -> str:
    return format_datetime(slot.local_starts_at, "EEEE d MMMM, HH:mm", rebase=False)


def _options(release: ReleaseRound, slots: list[Slot]) -> list[tuple[str, str]]:
    """Each day's parts of day ("any time that morning") first, then that day's slots."""
    groups = requesting.round_day_parts(release, slots)
    options = []
    for day in sorted({day_part.day for day_part in groups}):
        for part in PARTS:
            if DayPart(day, part) in groups:
                options.append((choice_value(DayPart(day, part)), day_part_label(DayPart(day, part))))
        options += [
            (str(slot.id), _slot_label(slot)) for slot in slots if release.centre.local(slot.starts_at).date() == day
        ]
    return options


def _my_request(release: ReleaseRound) -> RoundRequest | None:
    if not current_user.is_authenticated:
        return None
    return db.session.scalar(
        select(RoundRequest).where(RoundRequest.round_id == release.id, RoundRequest.user_id == current_user.id)
    )


def _limits(view):
    view = limiter.limit(lambda: current_app.config["ROUND_REQUEST_RATE_LIMIT"], key_func=per_person_key)(view)
    return limiter.limit(lambda: current_app.config["ROUND_ADDRESS_RATE_LIMIT"])(view)


@bp.get("/")
def index():
    centre = find_centre(db.session, request.args.get("centre", "")) if request.args.get("centre") else None
    found = announcing.listing(db.session, centre=centre)
    return render_template(
        "rounds/index.html", rounds=[announcing.figures(db.session, release) for release in found], centre=centre
    )


def _round_page(release: ReleaseRound, form: RequestForm | None = None, status: int = 200):
    slots = announcing.round_slots(db.session, release)
    mine = _my_request(release)
    form = form or RequestForm(formdata=None)
    form.set_options(_options(release, slots), mine.choices if mine else None)
    labels = {slot.id: _slot_label(slot) for slot in slots}
    applicant = current_user.is_authenticated and current_user.role == Role.USER
    return render_template(
        "rounds/detail.html",
        release=release,
        figures=announcing.figures(db.session, release),
        slots=slots,
        labels=labels,
        mine=mine,
        mine_labels=[choice_label(choice, labels) for choice in mine.choices] if mine else [],
        form=form,
        move_form=MoveForm(formdata=None),
        phase=release.phase(utcnow()),
        applicant=applicant,
        # Why this person cannot file yet (the same refusal filing would give), said before the form.
        refusal=requesting.person_refusal(current_user) if applicant else None,
    ), status


@bp.get("/<int:round_id>")
def detail(round_id: int):
    return _round_page(_round_or_404(round_id))


@bp.post("/<int:round_id>/request")
@role_required(Role.USER)
@_limits
def save_request(round_id: int):
    release = _round_or_404(round_id)
    form = RequestForm()
    form.set_options(_options(release, announcing.round_slots(db.session, release)))
    mine = _my_request(release)

    def action():
        if mine is None:
            return requesting.file_request(db.session, current_user, release.id, form.chosen(), utcnow(), _policy())
        return requesting.change_request(db.session, current_user, mine, form.chosen(), utcnow(), _policy())

    step = run_action(action, form=form, success=_("Your request is saved. The draw will decide."))
    if step.invalid:
        return _round_page(release, form, 422)
    return redirect(url_for("rounds.detail", round_id=round_id, _anchor="my-request"))


@bp.post("/<int:round_id>/request/move")
@role_required(Role.USER)
@_limits
def move(round_id: int):
    release = _round_or_404(round_id)
    mine = _my_request(release)
    form = MoveForm()
    if mine is None or not form.validate_on_submit():
        abort(400)
    run_action(
        lambda: requesting.move_choice(db.session, mine, form.index.data, int(form.step.data), utcnow(), _policy()),
        success=_("The order of your choices is changed."),
    )
    return redirect(url_for("rounds.detail", round_id=round_id, _anchor="my-request"))


@bp.post("/<int:round_id>/request/withdraw")
@role_required(Role.USER)
@_limits
def withdraw(round_id: int):
    release = _round_or_404(round_id)
    mine = _my_request(release)
    if not ActionForm().validate_on_submit():
        abort(400)
    if mine is None:
        abort(404)
    run_action(lambda: requesting.withdraw_request(db.session, mine, utcnow()), success=_("Your request is withdrawn."))
    return redirect(url_for("rounds.detail", round_id=round_id))


@bp.get("/mine")
@role_required(Role.USER)
def mine():
    found = requesting.user_requests(db.session, current_user)
    slot_ids = {choice for item in found for choice in item.choices if isinstance(choice, int)}
    slots = db.session.scalars(select(Slot).where(Slot.id.in_(slot_ids))) if slot_ids else []
    labels = {slot.id: _slot_label(slot) for slot in slots}
    choices = {item.id: [choice_label(choice, labels) for choice in item.choices] for item in found}
    return render_template("rounds/mine.html", requests=found, choices=choices)


@bp.get("/<int:round_id>/results")
def results(round_id: int):
    release = _round_or_404(round_id)
    data = verifying.published(db.session, release)
    verification = verifying.verify(data) if data["seed"] else None
    slots = {slot.id: slot for slot in announcing.round_slots(db.session, release)}
    return render_template(
        "rounds/results.html",
        release=release,
        data=data,
        verification=verification,
        labels={slot_id: _slot_label(slot) for slot_id, slot in slots.items()},
        mine=_my_request(release),
    )
