"""`flask demo seed` also publishes four weeks of exam slots, idempotently."""

from datetime import time

import sqlalchemy as sa

from app.booking.models import Slot
from app.centres.models import Centre
from app.core.working_days import is_working_day
from app.extensions import db
from tests.support.booking_support import NOW, freeze


def test_demo_seed_creates_slots_once(app, runner):
    freeze(NOW)
    first = runner.invoke(args=["demo", "seed"])
    second = runner.invoke(args=["demo", "seed"])
    assert "0 exam slots added" in second.output, second.output
    with app.app_context():
        slots = db.session.scalars(sa.select(Slot)).all()
        # Generated from the templates; the exam day's 09:00 time (already begun at NOW) is the demo's
        # own, and the past exams of the statistics' history have no template.
        generated = [slot for slot in slots if slot.template_id is not None]
        assert f"{len(generated)} exam slots added" in first.output
        assert {slot.category for slot in generated} == {"A", "B", "C", "D", "BE"}
        assert {slot.exam_type for slot in generated} == {"theory", "practical"}
        assert {slot.centre.code for slot in generated} == set(db.session.scalars(sa.select(Centre.code)))
        assert all(is_working_day(slot.local_date) for slot in generated)
        # Hourly 09:00–17:00, none in the 13:00–14:00 lunch break the opening hours announce.
        assert {slot.local_starts_at.time() for slot in generated} == {
            time(hour) for hour in range(9, 17) if hour != 13
        }
        days = sorted({slot.local_date for slot in generated})
        assert days[0] == NOW.date()
        assert (days[-1] - days[0]).days < 28
        assert {(slot.exam_type, slot.capacity) for slot in generated} == {("theory", 20), ("practical", 4)}
        assert all(centre.opening_hours_en for centre in db.session.scalars(sa.select(Centre)))
