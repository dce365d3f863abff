"""Staff pages for fair-release rounds: announce one over a period's slots, change its times
before requests open, call it off before the draw, see its requests and outcome. On the staff
blueprint (app/staff/routes.py), whose access rule and helpers they share."""

from __future__ import annotations

from datetime import datetime, time

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from app.centres.models import Centre
from app.core.clock import utcnow
from app.core.forms import run_action
from app.extensions import db
from app.rounds import announcing, policies
from app.rounds.labels import outcome_name, phase_name
from app.rounds.models import ReleaseRound, RoundRequest
from app.staff import scope
from app.staff.forms import weekday_choices
from app.staff.round_forms import ReleasePolicyForm, RoundForm, RoundTimesForm
from app.staff.routes import _centre_or_404, _csrf_or_400, bp


def _utc(centre: Centre, local: datetime | None) -> datetime | None:
    return local.replace(tzinfo=centre.zone) if local is not None else None


def _round_or_404(round_id: int) -> ReleaseRound:
    release = db.session.get(ReleaseRound, round_id)
    if release is None or not scope.may_manage(current_user, release.centre_id):
        abort(404)
    return release


@bp.context_processor
def round_names():
    return {"phase_name": phase_name, "outcome_name": outcome_name}


@bp.route("/centres/<code>/rounds", methods=["GET", "POST"])
def rounds(code: str):
    centre = _centre_or_404(code)
    form = RoundForm()
    step = None
    if form.is_submitted():
        plan = lambda: announcing.RoundPlan(  # noqa: E731  (read only once the form is valid)
            form.exam_type.data,
            form.category.data,
            form.first_day.data,
            form.last_day.data,
            _utc(centre, form.opens_at.data),
            _utc(centre, form.draw_at.data),
        )
        step = run_action(
            lambda: announcing.announce(db.session, centre, plan(), utcnow(), current_user),
            form=form,
            success=_("The round is announced. Its places can be requested only through it until the draw."),
        )
        if step.done:
            return redirect(url_for("staff.round_detail", round_id=step.value.id))
    found = [announcing.figures(db.session, release) for release in announcing.listing(db.session, centre=centre)]
    status = 422 if step is not None and step.invalid else 200
    return render_template("staff/rounds.html", centre=centre, rounds=found, form=form), status


@bp.route("/rounds/<int:round_id>", methods=["GET", "POST"])
def round_detail(round_id: int):
    release = _round_or_404(round_id)
    centre = release.centre
    form = RoundTimesForm(obj=None)
    if not form.is_submitted():
        form.opens_at.data = centre.local(release.opens_at).replace(tzinfo=None)
        form.draw_at.data = centre.local(release.draw_at).replace(tzinfo=None)
    else:
        step = run_action(
            lambda: announcing.edit(
                db.session,
                release,
                _utc(centre, form.opens_at.data),
                _utc(centre, form.draw_at.data) or _utc(centre, form.opens_at.data) + announcing.DEFAULT_WINDOW,
                utcnow(),
            ),
            form=form,
            success=_("The round's times are changed."),
        )
        if step.done or step.refused:
            return redirect(url_for("staff.round_detail", round_id=round_id))
    outcomes = dict(
        db.session.execute(
            select(RoundRequest.outcome, func.count())
            .where(RoundRequest.round_id == release.id)
            .group_by(RoundRequest.outcome)
        ).all()
    )
    return render_template(
        "staff/round.html",
        centre=centre,
        release=release,
        figures=announcing.figures(db.session, release),
        outcomes=outcomes,
        slots=announcing.round_slots(db.session, release),
        form=form,
        phase=release.phase(utcnow()),
    ), 422 if form.errors else 200


@bp.post("/rounds/<int:round_id>/cancel")
def cancel_round(round_id: int):
    release = _round_or_404(round_id)
    _csrf_or_400()
    run_action(
        lambda: announcing.cancel(db.session, release, utcnow()),
        success=_("The round is cancelled: its places can be booked as usual."),
    )
    return redirect(url_for("staff.round_detail", round_id=round_id))


@bp.route("/centres/<code>/release-policy", methods=["GET", "POST"])
def release_policy(code: str):
    """The centre's standing release policy: when the scheduler announces the week ahead as a round."""
    centre = _centre_or_404(code)
    current = policies.find_policy(db.session, centre)
    form = ReleasePolicyForm()
    form.weekday.choices = weekday_choices()
    if not form.is_submitted():
        found = policies.schedule_of(current) if current else policies.Schedule(0, 10 * 60, enabled=False)
        form.enabled.data, form.weekday.data = found.enabled, found.weekday
        form.local_time.data = time(found.minute_of_day // 60, found.minute_of_day % 60)
        form.weeks_ahead.data, form.window_minutes.data = found.weeks_ahead, found.window_minutes
    else:
        schedule = lambda: policies.Schedule(  # noqa: E731  (read only once the form is valid)
            form.weekday.data,
            form.local_time.data.hour * 60 + form.local_time.data.minute,
            form.weeks_ahead.data,
            form.window_minutes.data,
            form.enabled.data,
        )
        step = run_action(
            lambda: policies.save_policy(db.session, centre, schedule(), utcnow(), current_user),
            form=form,
            success=_("The release policy is saved."),
        )
        if step.done:
            return redirect(url_for("staff.release_policy", code=centre.code))
    upcoming = None
    if current is not None and current.enabled:
        upcoming = policies.next_occurrence(policies.schedule_of(current), centre.zone, utcnow())
    return render_template(
        "staff/release_policy.html", centre=centre, form=form, policy=current, upcoming=upcoming
    ), 422 if form.errors else 200
