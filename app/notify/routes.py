"""The in-app list of a person's messages, and the admins' view of jobs and the outbox."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select, update

from app.auth.access import role_required
from app.auth.models import Role
from app.core.clock import utcnow
from app.core.ranges import page_arg
from app.extensions import db
from app.jobs.models import JobRun, apscheduler_jobs
from app.jobs.tasks import JOBS
from app.notify import delivery
from app.notify.content import subject_of
from app.notify.models import OutboxMessage

bp = Blueprint("notify", __name__)
PER_PAGE = 20


@bp.get("/notifications")
@login_required
def inbox():
    page = page_arg()
    messages = db.paginate(
        select(OutboxMessage)
        .where(OutboxMessage.user_id == current_user.id, OutboxMessage.status != delivery.Status.CANCELLED)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()),
        page=page,
        per_page=PER_PAGE,
        error_out=False,
    )
    unread = {message.id for message in messages.items if message.read_at is None}
    if unread:  # shown now, so read
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(unread)).values(read_at=utcnow()))
        db.session.commit()
    return render_template("notify/inbox.html", messages=messages, unread=unread, subject_of=subject_of)


@bp.get("/admin/jobs")
@role_required(Role.ADMIN)
def jobs():
    runs = {run.job_id: run for run in db.session.scalars(select(JobRun))}
    next_runs = dict(db.session.execute(select(apscheduler_jobs.c.id, apscheduler_jobs.c.next_run_time)).all())
    counts = dict(db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    oldest_due = db.session.scalar(
        select(func.min(OutboxMessage.due_at)).where(OutboxMessage.status == delivery.Status.PENDING)
    )
    failed = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == delivery.Status.FAILED)
        .order_by(OutboxMessage.id.desc())
        .limit(50)
    ).all()
    return render_template(
        "notify/jobs.html",
        jobs=JOBS,
        runs=runs,
        next_runs=next_runs,
        counts=counts,
        oldest_due=oldest_due,
        now=utcnow(),
        failed=failed,
    )


@bp.post("/admin/outbox/<int:message_id>/retry")
@role_required(Role.ADMIN)
def retry(message_id: int):
    if not delivery.retry_failed(db.session, message_id, utcnow()):
        abort(404)
    db.session.commit()
    flash(_("The message will be sent again."), "success")
    return redirect(url_for("notify.jobs"))
