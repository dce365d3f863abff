"""Staff pages for a centre's capacity: weekly templates, publishing their slots, closures. They
belong to the staff blueprint (app/staff/routes.py), whose access rule and helpers they share."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from app.centres.models import Centre
from app.core.clock import utcnow
from app.core.forms import run_action
from app.extensions import db
from app.staff import confirming, rules, schedule, scope
from app.staff.forms import ClosureForm, TemplateForm
from app.staff.models import SlotTemplate
from app.staff.routes import _acting, _centre_or_404, _csrf_or_400, bp

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
    if request.method == "POST" and form.preview.data:
        planned = run_action(
            lambda: schedule.preview(db.session, centre, schedule.check_template(_template_input(form)), utcnow()),
            form=form,
        ).value
    elif request.method == "POST":
        step = run_action(
            lambda: schedule.save_template(_acting(), centre, _template_input(form), template),
            form=form,
            success=_("The template is saved. Publish its slots when you are ready."),
        )
        if step.done:
            return redirect(url_for("staff.templates", code=centre.code))
    elif template is not None:
        planned = schedule.preview(db.session, centre, schedule.template_facts(template), utcnow())
    return render_template(
        "staff/template_form.html", centre=centre, form=form, template=template, planned=planned
    ), 422 if form.errors else 200


@bp.get("/centres/<code>/templates")
def templates(code: str):
    centre = _centre_or_404(code)
    return render_template(
        "staff/templates.html",
        centre=centre,
        templates=schedule.centre_templates(db.session, centre),
        horizon=schedule.DEFAULT_HORIZON_DAYS,
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
    template = scope.template_for(db.session, current_user, template_id)
    if template is None:
        abort(404)
    form = TemplateForm(obj=template)
    if request.method == "GET":
        form.categories.data = template.category_list
    return _template_page(template.centre, form, template)


@bp.post("/templates/<int:template_id>/delete")
def delete_template(template_id: int):
    template = scope.template_for(db.session, current_user, template_id)
    if template is None:
        abort(404)
    _csrf_or_400()
    code = template.centre.code
    if not confirming.is_confirmed():
        times, bookings = schedule.template_reach(db.session, template, utcnow())
        return confirming.page(
            title=_("Delete this weekly template?"),
            consequences=[
                _("No new exam times are published from it."),
                ngettext(
                    "%(num)s exam time already published from it stays open;",
                    "%(num)s exam times already published from it stay open;",
                    times,
                )
                + " "
                + ngettext(
                    "%(num)s booking on them is kept: nobody is cancelled or notified.",
                    "%(num)s bookings on them are kept: nobody is cancelled or notified.",
                    bookings,
                ),
            ],
            button=_("Delete the template"),
            back_url=url_for("staff.templates", code=code),
            centre=template.centre,
        )
    run_action(
        lambda: schedule.delete_template(_acting(), template),
        success=_("The template is deleted. Slots already published stay."),
        category="info",
    )
    return redirect(url_for("staff.templates", code=code))


@bp.post("/centres/<code>/generate")
def generate(code: str):
    centre = _centre_or_404(code)
    _csrf_or_400()
    days = schedule.DEFAULT_HORIZON_DAYS
    run_action(
        lambda: schedule.publish_slots(_acting(), centre, days),
        success=lambda added: _(
            "%(added)s new exam times published for the next %(days)s days.", added=added, days=days
        ),
    )
    return redirect(url_for("staff.templates", code=centre.code))


@bp.route("/centres/<code>/closures", methods=["GET", "POST"])
def closures(code: str):
    centre = _centre_or_404(code)
    form = ClosureForm()
    step = run_action(
        lambda: schedule.add_closure(_acting(), centre, form.first_day.data, form.last_day.data, form.reason.data),
        form=form,
        success=lambda done: _(
            "The centre is closed on these days: %(removed)s free times removed, %(blocked)s booked times "
            "blocked and their applicants notified.",
            removed=done[1],
            blocked=done[2],
        ),
    )
    if not step.invalid:
        return redirect(url_for("staff.closures", code=centre.code))
    return render_template(
        "staff/closures.html", centre=centre, form=form, closures=schedule.centre_closures(db.session, centre)
    ), 422 if form.errors else 200


@bp.post("/closures/<int:closure_id>/delete")
def delete_closure(closure_id: int):
    closure = scope.closure_for(db.session, current_user, closure_id)
    if closure is None:
        abort(404)
    _csrf_or_400()
    code = closure.centre.code
    if not confirming.is_confirmed():
        return confirming.page(
            title=_("Remove this closure?"),
            consequences=[
                _(
                    "The days from %(first)s to %(last)s get exam times again at the next publication.",
                    first=format_date(closure.first_day, "long"),
                    last=format_date(closure.last_day, "long"),
                ),
                _("Times the closure blocked stay blocked; no booking is cancelled or notified."),
            ],
            button=_("Remove the closure"),
            back_url=url_for("staff.closures", code=code),
            centre=closure.centre,
        )
    run_action(
        lambda: schedule.delete_closure(_acting(), closure),
        success=_("The closure is removed: these days get exam times again at the next generation."),
        category="info",
    )
    return redirect(url_for("staff.closures", code=code))
