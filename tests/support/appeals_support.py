"""Helpers for the appeal tests: bookings with results, filings and steps run like a view would."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from app.appeals.filing import Filing, file_appeal
from app.appeals.models import Appeal
from app.auth.models import Role, User
from app.booking import results
from app.booking.models import Booking
from app.core.acting import Acting
from app.extensions import db
from app.notify.models import OutboxMessage
from tests.conftest import make_centre
from tests.support.booking_support import NOW, book, freeze, make_slot, run

ESSENCE = "The examiner marked a correct answer as wrong; I ask for the result to be reviewed."
ADDRESS = "Almaty, Abai Avenue 10, apt. 5"


def appeal_people(app, make_user) -> dict:
    """Who the appeal tests need, with a second centre (AST) and the clock at NOW: applicants, staff
    of both centres, an admin."""
    freeze(NOW)
    make_centre(app, "AST")
    return {
        "applicant": make_user(full_name="Aliya Bekova"),
        "other": make_user(),
        "staff": make_user(role=Role.STAFF, centre_code="ALM", full_name="Erlan Zhaksybekov"),
        "colleague": make_user(role=Role.STAFF, centre_code="ALM", full_name="Dana Serikova"),
        "astana": make_user(role=Role.STAFF, centre_code="AST", full_name="Asel Omarova"),
        "admin": make_user(role=Role.ADMIN),
    }


def at(year: int, month: int, day: int, hour: int = 4) -> datetime:
    """A UTC moment (04:00 UTC is 09:00 in Almaty)."""
    return datetime(year, month, day, hour, tzinfo=UTC)


def booking_with_result(app, user_id: int, *, passed: bool = False, centre_code: str = "ALM") -> int:
    booking_id = book(app, user_id, make_slot(app, centre_code=centre_code))
    run(app, lambda s: results.record_result(s, s.get(Booking, booking_id), passed, NOW))
    return booking_id


def file(
    app,
    user_id: int,
    *,
    booking_id: int | None = None,
    subject: str | None = None,
    centre_code=None,
    now=NOW,
    essence: str = ESSENCE,
):
    """File an appeal; several open ones of a person need essences of their own (no duplicates)."""
    filing = Filing(
        subject=subject or ("exam-result" if booking_id else "booking"),
        booking_id=booking_id,
        centre_code=centre_code,
        essence=essence,
        postal_address=ADDRESS,
        confirmed=True,
    )
    return run(app, lambda s: file_appeal(Acting(s, s.get(User, user_id), now), filing))


def staff_step(app, operation, appeal_id: int, staff_id: int, *args, now: datetime = NOW):
    """Run a centre's step (`centre_steps.register`, `refer`, `extend`, `decide`, `decide_complaint`)."""
    return run(app, lambda s: operation(Acting(s, s.get(User, staff_id), now), s.get(Appeal, appeal_id), *args))


def appeal_state(app, appeal_id: int) -> dict:
    with app.app_context():
        appeal = db.session.get(Appeal, appeal_id)
        complaint = appeal.complaint
        return {
            "receipt_number": appeal.receipt_number,
            "status": appeal.status,
            "centre": appeal.centre.code,
            "refer_due": appeal.refer_due,
            "decision_due": appeal.decision_due,
            "complaint_due": appeal.complaint_due,
            "registrar": (appeal.registrar_name, appeal.registrar_position),
            "extension_notice_due": appeal.extension_notice_due,
            "complaint": complaint
            and {"late": complaint.late, "due": complaint.decision_due, "outcome": complaint.outcome},
            "events": [event.action for event in appeal.events],
        }


def outbox(app) -> list[tuple[str, str, dict]]:
    """(dedupe key, kind, payload) of every queued message, in order."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(OutboxMessage.dedupe_key, OutboxMessage.kind, OutboxMessage.payload).order_by(OutboxMessage.id)
        )
        return [tuple(row) for row in rows]


def appeal_keys(app) -> list[str]:
    return [key for key, _, _ in outbox(app) if key and key.startswith("appeal:")]
