"""`flask demo seed` gives the staff's centre bookings for today and tomorrow — confirmed, checked
in, one no-show, one with a result — once (seeding again changes nothing)."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from app.booking.models import Booking, Slot
from app.centres.models import Centre
from app.core import clock
from app.demo import services as demo
from app.extensions import db

# Thursday 3 December 2026, 08:00 in Almaty: the exam day has not begun.
NOW = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)


def _statuses(day):
    alm = db.session.scalar(sa.select(Centre).where(Centre.code == "ALM"))
    start = datetime.combine(day, datetime.min.time(), alm.zone)
    rows = db.session.execute(
        sa.select(Booking.status)
        .join(Booking.slot)
        .where(Slot.centre_id == alm.id, Slot.starts_at >= start, Slot.starts_at < start + timedelta(days=1))
    ).scalars()
    return Counter(rows)


def test_demo_seed_makes_the_exam_day_once(app):
    clock.set_clock(lambda: NOW)
    try:
        with app.app_context():
            first = demo.seed(db.session)
            db.session.commit()
            assert first.exam_day_bookings == 8
            today = NOW.astimezone(db.session.scalar(sa.select(Centre).where(Centre.code == "ALM")).zone).date()
            assert _statuses(today) == {"passed": 1, "attended": 2, "no-show": 1, "confirmed": 2}
            assert _statuses(today + timedelta(days=1)) == {"confirmed": 2}
            again = demo.seed(db.session)
            db.session.commit()
            assert again.exam_day_bookings == 0
            assert sum(_statuses(today).values()) == 6
    finally:
        clock.set_clock(None)


def test_the_exam_day_page_shows_the_demo_day(app, client, auth):
    clock.set_clock(lambda: NOW)
    try:
        with app.app_context():
            demo.seed(db.session)
            db.session.commit()
        auth.login("staff@demo.kezek.kz", "kezek-demo-2026")
        html = client.get("/staff/centres/ALM/").get_data(as_text=True)
        assert "Demo Examinee 1" in html
        assert "slot--next" in html
    finally:
        clock.set_clock(None)
