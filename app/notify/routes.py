"""The in-app list of a person's messages."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import func, select, update

from app.core.clock import utcnow
from app.core.ranges import page_arg
from app.extensions import db
from app.notify import channels, delivery, kinds
from app.notify.content import summary_of
from app.notify.models import OutboxMessage

bp = Blueprint("notify", __name__)
PER_PAGE = 20


@bp.get("/notifications")
@login_required
def inbox():
    page = page_arg()
    messages = db.paginate(
        select(OutboxMessage)
        .where(
            OutboxMessage.user_id == current_user.id,
            OutboxMessage.status != delivery.Status.CANCELLED,
            OutboxMessage.kind.not_in(kinds.unlisted_kinds()),
        )
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()),
        page=page,
        per_page=PER_PAGE,
        error_out=False,
    )
    kinds.preload(messages.items)
    unread = {message.id for message in messages.items if message.read_at is None}
    items = [(message, summary_of(message)) for message in messages.items]
    if unread:  # shown now, so read
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(unread)).values(read_at=utcnow()))
    # Rendered before the commit, which would expire every message the page reads (and reload each).
    page = render_template(
        "notify/inbox.html",
        messages=messages,
        items=items,
        unread=unread,
        states_of=delivery.channel_states,
        channel_names=channels.NAMES,
    )
    db.session.commit()
    return page


@bp.app_context_processor
def unread_notifications():
    """The menu's badge: the person's messages not yet seen in the list (counted when asked)."""

    def count() -> int:
        if not current_user.is_authenticated:
            return 0
        return db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.user_id == current_user.id,
                OutboxMessage.read_at.is_(None),
                OutboxMessage.status != delivery.Status.CANCELLED,
                OutboxMessage.kind.not_in(kinds.unlisted_kinds()),
            )
        )

    return {"unread_notifications": count}
