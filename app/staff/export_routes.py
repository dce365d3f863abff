"""The centre's dashboard and its CSV exports (a slot's roster, a period's bookings), part of the
staff blueprint (app/staff/routes.py). `dashboard_page` also serves the admins' dashboard across
centres: one way to read the period and show the figures."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import render_template

from app.centres.models import Centre
from app.core import spreadsheets
from app.core.clock import utcnow
from app.core.ranges import period_args
from app.extensions import db
from app.staff import exam_day, exports, figures, oversight
from app.staff.forms import PeriodForm
from app.staff.routes import _centre_or_404, _slot_or_404, bp


@bp.get("/slots/<int:slot_id>/roster.csv")
def roster_csv(slot_id: int):
    found = _slot_or_404(slot_id)
    local = found.local_starts_at
    return spreadsheets.download(
        exports.roster_csv(exam_day.roster(db.session, found), found.centre.zone, spreadsheets.separator_arg()),
        f"roster-{found.centre.code}-{local:%Y%m%d-%H%M}-{found.exam_type}-{found.category}.csv",
    )


# --- Oversight -----------------------------------------------------------------------------------


def period_form(today: date) -> PeriodForm:
    """The period asked for (capped), or two weeks back and two weeks ahead."""
    first_day, last_day = period_args("first_day", "last_day", oversight.default_period(today))
    return PeriodForm(data={"first_day": first_day, "last_day": last_day})


def dashboard_page(centre: Centre | None, zone: ZoneInfo, centres: list[Centre] | None = None):
    """The dashboard of `centre`, or of all `centres` together and side by side; days in `zone`."""
    form = period_form(utcnow().astimezone(zone).date())
    first, last = form.first_day.data, form.last_day.data
    if centres is None:
        found, each = oversight.dashboard(db.session, centre, first, last, zone), None
    else:
        found, each = oversight.across_centres(db.session, centres, first, last, zone)
    return render_template(
        "staff/dashboard.html",
        centre=centre,
        form=form,
        figures=found,
        chart=figures.utilisation_chart(found.by_day),
        per_centre=each,
    )


@bp.get("/centres/<code>/dashboard")
def dashboard(code: str):
    centre = _centre_or_404(code)
    return dashboard_page(centre, centre.zone)


@bp.get("/centres/<code>/bookings.csv")
def bookings_csv(code: str):
    centre = _centre_or_404(code)
    form = period_form(centre.local(utcnow()).date())
    first, last = form.first_day.data, form.last_day.data
    return spreadsheets.download(
        exports.bookings_csv(
            oversight.period_bookings(db.session, centre, first, last), centre.zone, spreadsheets.separator_arg()
        ),
        exports.bookings_filename(centre, first, last),
    )
