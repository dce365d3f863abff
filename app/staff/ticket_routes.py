"""The check-in desk: one field that takes a scanned ticket QR code or a typed ticket number and
opens that booking of the centre. Part of the staff blueprint (app/staff/routes.py)."""

from __future__ import annotations

from flask import current_app, redirect, render_template, url_for

from app.core.errors import DomainError
from app.extensions import db
from app.staff import tickets
from app.staff.forms import TicketForm
from app.staff.routes import _centre_or_404, bp


@bp.route("/centres/<code>/check-in", methods=["GET", "POST"])
def check_in_desk(code: str):
    centre = _centre_or_404(code)
    form = TicketForm()
    status = 200
    if form.validate_on_submit():
        try:
            booking = tickets.find_booking(db.session, centre, form.code.data, current_app.config["SECRET_KEY"])
        except DomainError as error:
            form.code.errors = [str(error.message)]
            status = error.status
        else:
            return redirect(url_for("staff.booking", booking_id=booking.id))
    elif form.errors:
        status = 422
    return render_template("staff/check_in_desk.html", centre=centre, form=form), status
