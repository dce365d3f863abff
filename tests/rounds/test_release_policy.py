"""Per-centre release policies: when one is due (the centre's calendar and clock), the generator's
slots of the weeks it covers held back from direct booking, the scheduler's job announcing each
week once however often it runs, and the staff page with its validation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.auth.models import Role
from app.booking.models import Slot
from app.centres.services import find_centre
from app.core.errors import DomainError
from app.extensions import db
from app.jobs import tasks
from app.rounds import lottery, policies
from app.rounds.models import ReleasePolicy, ReleaseRound
from app.staff import schedule
from tests.conftest import submit_form
from tests.support.booking_support import NOW, freeze, hold, run
from tests.support.rounds_support import verified_applicants
from tests.support.staff_support import make_template

ALMATY, AQTOBE = ZoneInfo("Asia/Almaty"), ZoneInfo("Asia/Aqtobe")
MONDAY_10 = policies.Schedule(weekday=0, minute_of_day=10 * 60, weeks_ahead=2)
# NOW is Tuesday 1 December 2026, 09:00 in Almaty: the policy's next time is Monday 7 December.
DUE = datetime(2026, 12, 7, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize("zone", [ALMATY, AQTOBE])
def test_due_times_are_counted_on_the_centres_calendar_and_clock(zone):
    assert policies.latest_occurrence(MONDAY_10, zone, DUE) == DUE  # 10:00 at UTC+5
    assert policies.latest_occurrence(MONDAY_10, zone, DUE - timedelta(seconds=1)) == DUE - timedelta(days=7)
    assert policies.next_occurrence(MONDAY_10, zone, NOW) == DUE
    assert policies.covered_week(MONDAY_10, zone, DUE) == date(2026, 12, 21)
    # Monday 01:00 local is still Sunday in UTC: the local weekday counts, not UTC's.
    early = policies.Schedule(weekday=0, minute_of_day=60, weeks_ahead=4)
    sunday_evening_utc = datetime(2026, 12, 6, 20, 30, tzinfo=UTC)  # Monday 01:30 at UTC+5
    assert policies.latest_occurrence(early, zone, sunday_evening_utc) == datetime(2026, 12, 6, 20, 0, tzinfo=UTC)
    assert policies.covered_week(early, zone, datetime(2026, 12, 6, 20, 0, tzinfo=UTC)) == date(2027, 1, 4)
    # Sunday 23:30 local is the same UTC day: the week it covers begins after the local week of the Sunday.
    sunday = policies.Schedule(weekday=6, minute_of_day=23 * 60 + 30, weeks_ahead=1)
    moment = datetime(2026, 12, 6, 18, 30, tzinfo=UTC)
    assert policies.latest_occurrence(sunday, zone, moment + timedelta(hours=3)) == moment
    assert policies.covered_week(sunday, zone, moment) == date(2026, 12, 7)


def _policy_and_slots(app, make_user):
    """Wednesday templates (09:00 and 10:00, theory A and B) generated 28 days ahead, then a policy
    "Monday 10:00, two weeks ahead" saved at NOW."""
    staff = make_user(role=Role.STAFF, centre_code="ALM")
    make_template(app, staff.id)

    def operation(session):
        centre = find_centre(session, "ALM")
        policies.save_policy(session, centre, MONDAY_10, NOW, None)
        return schedule.generate_slots(session, NOW, 35)

    assert run(app, operation) > 0
    return staff


def _slots(app):
    with app.app_context():
        found = db.session.scalars(sa.select(Slot).order_by(Slot.starts_at, Slot.category))
        return [(s.local_date, s.category, s.release_pending, s.round_id) for s in found]


def test_generated_slots_of_covered_weeks_are_held_back_then_join_the_round_once(app, client, centre, make_user):
    _policy_and_slots(app, make_user)
    slots = _slots(app)
    # Wednesdays 2 and 9 December come before the first week the policy announces (21 December);
    # 16 December is Independence Day (no exams).
    assert {day for day, _c, pending, _r in slots if not pending} == {date(2026, 12, d) for d in (2, 9)}
    assert {day for day, _c, pending, _r in slots if pending} == {date(2026, 12, 23), date(2026, 12, 30)}
    # Held back: nobody books them first come, first served.
    (person,) = verified_applicants(app, 1)
    with app.app_context():
        held = db.session.scalar(sa.select(Slot.id).where(Slot.release_pending.is_(True)).limit(1))
    with pytest.raises(DomainError) as refused:
        hold(app, person, held)
    assert refused.value.code == "slot-in-round"
    # Not yet due: nothing is announced.
    freeze(DUE - timedelta(minutes=1))
    with app.app_context():
        assert tasks.run_in_context("announce-policy-rounds") == "0 rounds announced by release policies"
    # Due: one round per category of that week; a second run (or a second scheduler) adds none.
    freeze(DUE + timedelta(minutes=1))
    with app.app_context():
        assert tasks.run_in_context("announce-policy-rounds") == "2 rounds announced by release policies"
        assert tasks.run_in_context("announce-policy-rounds") == "0 rounds announced by release policies"
        rounds = db.session.scalars(sa.select(ReleaseRound).order_by(ReleaseRound.category)).all()
    assert [(r.category, r.policy_week, r.opens_at, r.draw_at) for r in rounds] == [
        (category, date(2026, 12, 21), DUE, DUE + timedelta(minutes=30)) for category in ("A", "B")
    ]
    week = [row for row in _slots(app) if row[0] == date(2026, 12, 23)]
    assert {(pending, round_id is not None) for _d, _c, pending, round_id in week} == {(False, True)}
    assert all(pending for day, _c, pending, _r in _slots(app) if day == date(2026, 12, 30))


def test_the_unique_week_key_stops_a_second_announcement(app, centre):
    """Two schedulers at once: the second round of the same week, exam and category cannot be stored."""
    with app.app_context():
        centre_row = find_centre(db.session, "ALM")
        seed = lottery.new_seed()
        for _attempt in range(2):
            db.session.add(
                ReleaseRound(
                    centre=centre_row,
                    exam_type="theory",
                    category="B",
                    opens_at=DUE,
                    draw_at=DUE + timedelta(minutes=30),
                    seed=seed,
                    seed_sha256=lottery.commitment(seed),
                    policy_week=date(2026, 12, 21),
                )
            )
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_switching_the_policy_off_releases_the_held_slots(app, centre, make_user):
    _policy_and_slots(app, make_user)
    off = policies.Schedule(0, 600, 2, 30, enabled=False)
    run(app, lambda session: policies.save_policy(session, find_centre(session, "ALM"), off, NOW, None))
    assert not any(pending for _d, _c, pending, _r in _slots(app))


def test_staff_edit_the_policy_with_validation(app, client, auth, centre, make_user):
    staff = make_user(role=Role.STAFF, centre_code="ALM")
    freeze(NOW)
    auth.login(staff.email)
    url = "/staff/centres/ALM/release-policy"
    page = client.get(url)
    assert page.status_code == 200
    assert "Weeks ahead" in page.get_data(as_text=True)
    bad = submit_form(
        client, url, {"enabled": "y", "weekday": "0", "local_time": "10:00", "weeks_ahead": "0", "window_minutes": "2"}
    )
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "1 to 12 weeks ahead" in html
    assert "5 to 1440 minutes" in html
    missing = submit_form(client, url, {"weekday": "0", "local_time": "", "weeks_ahead": "4", "window_minutes": "30"})
    assert missing.status_code == 422
    saved = submit_form(
        client,
        url,
        {"enabled": "y", "weekday": "0", "local_time": "10:00", "weeks_ahead": "4", "window_minutes": "45"},
        follow_redirects=True,
    )
    assert "The release policy is saved" in saved.get_data(as_text=True)
    with app.app_context():
        policy = db.session.scalar(sa.select(ReleasePolicy))
        assert (policy.weekday, policy.minute_of_day, policy.weeks_ahead, policy.window_minutes, policy.enabled) == (
            0,
            600,
            4,
            45,
            True,
        )
    # Another centre's page is not theirs.
    assert client.get("/staff/centres/AST/release-policy").status_code == 404
