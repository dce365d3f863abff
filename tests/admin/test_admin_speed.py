"""The admin pages read in a fixed number of statements, however many centres, slots and accounts
there are (no objects loaded one by one in a loop): what keeps them within 150 ms on the demo data."""

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.extensions import db
from tests.conftest import make_centre
from tests.support.booking_support import NOW, freeze, local, make_slot
from tests.support.staff_support import book_before


def statements(app, client, url):
    counted = []
    with app.app_context():
        engine = db.engine

    def count(*_args):
        counted.append(1)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return len(counted)


def grow(app, make_user, codes):
    for code in codes:
        make_centre(app, code)
        for hour in (9, 10, 11):
            slot = make_slot(app, centre_code=code, starts=local(2026, 12, 2, hour))
            book_before(app, make_user().id, slot)
        make_user(role=Role.STAFF, centre_code=code)


@pytest.mark.parametrize("url", ["/admin/dashboard", "/admin/", "/admin/staff", "/admin/audit", "/admin/jobs"])
def test_statements_do_not_grow_with_the_data(app, client, auth, make_user, url):
    freeze(NOW)
    grow(app, make_user, ["ALM"])
    auth.login(make_user(role=Role.ADMIN).email)
    few = statements(app, client, url)
    grow(app, make_user, ["AST", "SHY", "AKT"])
    assert statements(app, client, url) == few
