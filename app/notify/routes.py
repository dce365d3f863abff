"""The in-app list of a person's messages."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import select, update

from app.core.clock import utcnow
from app.core.ranges import page_arg
from app.extensions import db
from app.notify import channels, delivery
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
    return render_template(
        "notify/inbox.html",
        messages=messages,
        unread=unread,
        subject_of=subject_of,
        states_of=delivery.channel_states,
        channel_names=channels.NAMES,
    )
