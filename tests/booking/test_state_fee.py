"""The state fee: its amount from the configured MCI, shown with how to pay and the receipt's
format before a held place is confirmed; a receipt number of another shape is refused."""

from decimal import Decimal

import pytest

from app.booking.fee import StateFee
from tests.conftest import submit_form
from tests.support.booking_support import NOW, freeze, hold, make_slot
from tests.support.pages import soup


def test_the_amount_follows_the_configured_mci():
    assert StateFee.from_config({"STATE_FEE_MCI": "1.25", "MCI_TENGE": 4325}).amount == Decimal("5406.25")
    assert StateFee.from_config({"STATE_FEE_MCI": "2", "MCI_TENGE": 3932}).amount == Decimal("7864.00")


@pytest.mark.parametrize(("language", "amount"), [("ru", "5\xa0406,25\xa0KZT"), ("en", "KZT5,406.25")])
def test_the_hold_page_shows_the_fee_and_how_to_pay(app, client, auth, make_user, centre, language, amount):
    freeze(NOW)
    user = make_user()
    auth.login(user.email)
    booking = hold(app, user.id, make_slot(app))
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    fee = soup(client.get(f"/booking/{booking}")).select_one(".state-fee")
    assert amount in fee.get_text()
    assert fee.select_one("a[href='https://egov.kz']") is not None


def test_a_receipt_of_another_shape_is_refused(app, client, auth, make_user, centre):
    freeze(NOW)
    user = make_user()
    auth.login(user.email)
    booking = hold(app, user.id, make_slot(app))
    form = {"consent_personal_data": "y", "fee_receipt": "№ 12"}
    response = submit_form(client, f"/booking/{booking}", form)
    assert response.status_code == 422
    assert "4 to 40 letters, digits, dashes or slashes" in response.get_data(as_text=True)
