"""Staff announce a round over a period's slots, change its times before it opens, cancel it; other
centres' staff cannot see it."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.auth.models import Role
from app.booking.models import Slot
from app.extensions import db
from app.rounds.models import ReleaseRound
from tests.conftest import make_centre, submit_form
from tests.support.booking_support import NOW, freeze
from tests.support.rounds_support import round_slots


def test_staff_announce_change_and_cancel_a_round(app, client, auth, centre, make_user):
    slots = round_slots(app, count=2)
    staff = make_user(role=Role.STAFF, centre_code="ALM")
    freeze(NOW)
    auth.login(staff.email)
    url = "/staff/centres/ALM/rounds"
    bad = submit_form(
        client,
        url,
        {
            "exam_type": "theory",
            "category": "B",
            "first_day": "2026-12-10",
            "last_day": "2026-12-10",
            "opens_at": "2026-12-02T10:00",
            "draw_at": "2026-12-02T09:00",
        },
    )
    assert bad.status_code == 422
    made = submit_form(
        client,
        url,
        {
            "exam_type": "theory",
            "category": "B",
            "first_day": "2026-12-10",
            "last_day": "2026-12-10",
            "opens_at": "2026-12-02T10:00",
            "draw_at": "",
        },
        follow_redirects=True,
    )
    assert made.status_code == 200
    assert "The round is announced" in made.get_data(as_text=True)
    with app.app_context():
        release = db.session.scalars(sa.select(ReleaseRound)).one()
        # Local 10:00 in Almaty is 05:00 UTC; the draw 30 minutes later.
        assert release.opens_at.isoformat() == "2026-12-02T05:00:00+00:00"
        assert release.draw_at - release.opens_at == timedelta(minutes=30)
        assert sorted(db.session.scalars(sa.select(Slot.id).where(Slot.round_id == release.id))) == sorted(slots)
        round_id = release.id
    changed = submit_form(
        client,
        f"/staff/rounds/{round_id}",
        {"opens_at": "2026-12-02T11:00", "draw_at": "2026-12-02T12:00"},
        follow_redirects=True,
    )
    assert "times are changed" in changed.get_data(as_text=True)
    submit_form(client, f"/staff/rounds/{round_id}/cancel", {}, page_url=f"/staff/rounds/{round_id}")
    with app.app_context():
        assert db.session.get(ReleaseRound, round_id).status == "cancelled"
        assert db.session.scalar(sa.select(sa.func.count()).where(Slot.round_id.is_not(None))) == 0
    # Another centre's staff: as good as absent.
    make_centre(app, "AST", "Asia/Almaty")
    other = make_user(role=Role.STAFF, centre_code="AST")
    auth.logout()
    auth.login(other.email)
    assert client.get(f"/staff/rounds/{round_id}").status_code == 404
