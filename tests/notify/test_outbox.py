"""The outbox queues each message at most once."""

import sqlalchemy as sa

from app.auth.models import User
from app.extensions import db
from app.notify.models import OutboxMessage
from app.notify.services import queue_message


def test_a_keyed_message_is_queued_once(app, make_user):
    user = make_user()
    with app.app_context():
        account = db.session.get(User, user.id)
        for _ in range(2):
            queue_message(
                db.session, kind="appeal-referred", user=account, payload={"appeal": 1}, key="appeal:1:referred"
            )
        queue_message(db.session, kind="appeal-referred", user=account, payload={"appeal": 2}, key="appeal:2:referred")
        db.session.commit()
        keys = db.session.scalars(sa.select(OutboxMessage.dedupe_key).order_by(OutboxMessage.id)).all()
        assert keys == ["appeal:1:referred", "appeal:2:referred"]
