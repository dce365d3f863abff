"""A seeded world for the security tests: two centres, one person of every role, and one object of
every kind (booking, attempt, appeal, template, closure, waitlist entry, outbox message) that
belongs to the applicant `user` and to the centre ALM. `other` and `foreign_staff` (of AST) must
never reach them."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from app.appeals.filing import Filing, file_appeal
from app.auth import reset
from app.auth import services as auth_services
from app.auth.models import Role, User
from app.booking.models import Slot, WaitlistEntry
from app.core import clock
from app.core.acting import Acting
from app.exam import attempt_access, drawing
from app.exam.models import ExamProfile
from app.extensions import db
from app.notify.models import OutboxMessage
from app.rounds import lottery
from app.rounds.models import ReleaseRound, RoundRequest
from tests.conftest import make_centre
from tests.support.booking_support import NOW, freeze, local, make_slot, run
from tests.support.factories import build_bank, build_profile
from tests.support.session_support import live_login_id
from tests.support.staff_support import book_before, make_template

# Who makes the request, in the order of the access matrix's columns.
ROLES = ("anonymous", "user", "other", "foreign_staff", "staff", "admin")


@dataclass(frozen=True)
class World:
    users: dict[str, int]  # role -> user id (no "anonymous")
    tokens: dict[str, str]  # role -> live API bearer token
    logins: dict[str, str]  # role -> the Flask-Login id of a live session (session["_user_id"])
    ids: dict[str, object]  # URL variable -> a value naming the user's / centre ALM's object


def _round_with_request(session, centre_id: int, applicants: list[int]) -> tuple[int, int]:
    """A fair-release round of ALM open for requests, the applicants' phones confirmed, and the
    first applicant's request in it."""
    session.execute(sa.update(User).where(User.id.in_(applicants)).values(phone="+77010000000", phone_confirmed_at=NOW))
    release = ReleaseRound(
        centre_id=centre_id,
        exam_type="theory",
        category="B",
        opens_at=NOW - timedelta(hours=1),
        draw_at=NOW + timedelta(hours=1),
        seed="00" * 32,
        seed_sha256=lottery.commitment("00" * 32),
    )
    session.add(release)
    session.flush()
    starts = local(2026, 12, 10)
    slot = Slot(
        centre_id=centre_id,
        exam_type="theory",
        category="B",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        capacity=2,
        round_id=release.id,
    )
    session.add(slot)
    session.flush()
    request = RoundRequest(round_id=release.id, user_id=applicants[0], choices=[slot.id], token="ab" * 32)
    session.add(request)
    session.flush()
    return release.id, request.id


def seed_world(app, make_user) -> World:
    freeze(NOW)
    make_centre(app, "ALM")
    make_centre(app, "AST")
    users = {
        "user": make_user(full_name="Aigerim Owner").id,
        "other": make_user(full_name="Other Person").id,
        "foreign_staff": make_user(role=Role.STAFF, centre_code="AST").id,
        "staff": make_user(role=Role.STAFF, centre_code="ALM").id,
        "admin": make_user(role=Role.ADMIN).id,
    }
    slot = make_slot(app, centre_code="ALM", starts=local(2026, 12, 1, 14))
    booking = book_before(app, users["user"], slot)
    with app.app_context():
        build_bank(db.session, {"t1": 4})
        build_profile(db.session, {"t1": 4})
        profile = db.session.scalar(sa.select(ExamProfile))
        attempt = drawing.start_attempt(
            db.session,
            owner=attempt_access.Owner(user_id=users["user"]),
            profile=profile,
            language="en",
            mode="exam",
            now=clock.utcnow(),
            rng=random.Random(1),
        )
        owner = db.session.get(User, users["user"])
        appeal = file_appeal(
            Acting(db.session, owner, NOW),
            Filing(subject="booking", essence="Refused", postal_address="Almaty", centre_code="ALM", confirmed=True),
        )
        entry = WaitlistEntry(
            user_id=owner.id,
            centre_id=appeal.centre_id,
            exam_type="practical",
            category="B",
            day=NOW.date() + timedelta(days=5),
        )
        db.session.add(entry)
        round_id, request_id = _round_with_request(db.session, appeal.centre_id, [users["user"], users["other"]])
        # A message that could not be sent, so that admins may retry it.
        message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.booking_id == booking))
        message.status = "failed"
        db.session.flush()
        tokens = {
            role: auth_services.issue_token(db.session, db.session.get(User, user_id), 3600)[0]
            for role, user_id in users.items()
        }
        ids = {
            "attempt_id": attempt.id,
            "position": 1,
            "question_id": attempt.items[0].question_id,
            "appeal_id": appeal.id,
            "entry_id": entry.id,
            "message_id": message.id,
            "round_id": round_id,
            "request_id": request_id,
            "token": reset.make_token(db.session, owner, ttl_seconds=3600, now=NOW),
        }
        logins = {role: live_login_id(db.session, db.session.get(User, user_id)) for role, user_id in users.items()}
        db.session.commit()
    template = make_template(app, users["admin"], centre_code="ALM")
    closure_id = run(app, lambda session: _closure(session))
    return World(
        users=users,
        tokens=tokens,
        logins=logins,
        ids={
            **ids,
            "slot_id": slot,
            "booking_id": booking,
            "template_id": template,
            "closure_id": closure_id,
            "user_id": users["staff"],
            "code": "ALM",
            "name": "missing.svg",
            "filename": "css/kezek.css",
        },
    )


def _closure(session):
    from app.centres.models import Centre
    from app.staff.models import CentreClosure

    centre = session.scalar(sa.select(Centre).where(Centre.code == "ALM"))
    closure = CentreClosure(
        centre_id=centre.id,
        first_day=NOW.date() + timedelta(days=40),
        last_day=NOW.date() + timedelta(days=41),
        reason="Repairs",
    )
    session.add(closure)
    session.flush()
    return closure
