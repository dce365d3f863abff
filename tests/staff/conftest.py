"""The staff tests' shared world: two centres, each with a template, a closure, a slot today and a
confirmed booking on it, and a staff member of ALM."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.extensions import db
from tests.conftest import make_centre
from tests.support.booking_support import NOW, freeze, local, make_slot
from tests.support.staff_support import book_before, make_template

TODAY_2PM = local(2026, 12, 1, 14)


@pytest.fixture
def world(app, make_user):
    """Two centres, each with a template, a closure, a slot today and a confirmed booking on it."""
    freeze(NOW)
    make_centre(app, "ALM")
    make_centre(app, "AST")
    admin = make_user(role=Role.ADMIN)
    objects = {}
    for code in ("ALM", "AST"):
        slot = make_slot(app, centre_code=code, starts=TODAY_2PM)
        template = make_template(app, admin.id, centre_code=code)
        closure = _closure(app, code)
        booking = book_before(app, make_user(full_name="=HYPERLINK(1)" if code == "ALM" else "Asel").id, slot)
        objects[code] = {"slot": slot, "template": template, "closure": closure, "booking": booking}
    staff = make_user(role=Role.STAFF, centre_code="ALM")
    return {"admin": admin, "staff": staff, **objects}


def _closure(app, code):
    from app.staff.models import CentreClosure

    with app.app_context():
        centre_id = db.session.scalar(sa.text("SELECT id FROM centre WHERE code = :c"), {"c": code})
        closure = CentreClosure(
            centre_id=centre_id,
            first_day=NOW.date() + timedelta(days=40),
            last_day=NOW.date() + timedelta(days=41),
            reason="Repairs",
        )
        db.session.add(closure)
        db.session.commit()
        return closure.id
