"""Check-in by ticket: the applicant's ticket page and confirmation carry a signed QR code; staff
scan it (or type the ticket number) into one field that opens the booking; a forged code or another
centre's ticket is refused with a message that says which."""

import io

import pytest
import zxingcpp
from bs4 import BeautifulSoup
from PIL import Image

from app.booking import ticket_codes
from tests.conftest import submit_form
from tests.support.booking_support import booking_state
from tests.support.staff_support import book_before

SECRET = "a-test-secret-of-enough-length-000000"


def test_signed_code_round_trip_and_forgery():
    code = ticket_codes.signed_code("ALM-T-20261201-0001", SECRET)
    assert code.startswith("ALM-T-20261201-0001.")
    assert ticket_codes.ticket_from(code, SECRET) == ("ALM-T-20261201-0001", True)
    assert ticket_codes.ticket_from(" alm-t-20261201-0001 ", SECRET) == ("ALM-T-20261201-0001", False)
    forged = code.replace("ALM-T-20261201-0001", "ALM-T-20261201-0002")
    for bad in (forged, ticket_codes.signed_code("ALM-T-20261201-0001", "another-secret"), "hello"):
        with pytest.raises(ticket_codes.BadTicketCode):
            ticket_codes.ticket_from(bad, SECRET)


def decode_qr(png: bytes) -> str:
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1
    assert found[0].format == zxingcpp.BarcodeFormat.QRCode
    return found[0].text


def scanned_code(client, booking_id: int, page: str) -> str:
    """The code in the QR image of the applicant's `page` (its ticket page or the printable one)."""
    html = BeautifulSoup(client.get(page).get_data(as_text=True), "html.parser")
    image = html.select_one("img.qr-code")
    assert "QR code of ticket" in image["alt"]
    response = client.get(image["src"])
    assert response.mimetype == "image/png"
    assert "no-store" in response.headers["Cache-Control"]
    return decode_qr(response.data)


@pytest.fixture
def applicant_booking(app, make_user, world):
    applicant = make_user()
    return applicant, book_before(app, applicant.id, world["ALM"]["slot"])


@pytest.mark.parametrize("page", ["/booking/{id}", "/booking/{id}/print"])
def test_staff_scan_the_ticket_qr_and_the_booking_opens(app, client, auth, world, applicant_booking, page):
    applicant, booking = applicant_booking
    auth.login(applicant.email)
    code = scanned_code(client, booking, page.format(id=booking))
    ticket = booking_state(app, booking)["ticket"]
    assert code.startswith(f"{ticket}.")
    auth.logout()

    auth.login(world["staff"].email)
    desk = "/staff/centres/ALM/check-in"
    opened = submit_form(client, desk, {"code": code}, page_url=desk)
    assert opened.status_code == 302
    assert opened.headers["Location"] == f"/staff/bookings/{booking}"
    typed = submit_form(client, desk, {"code": ticket.lower()}, page_url=desk)
    assert typed.headers["Location"] == f"/staff/bookings/{booking}"


def test_forged_and_other_centres_codes_are_refused(app, client, auth, make_user, world, applicant_booking):
    _applicant, booking = applicant_booking
    ticket = booking_state(app, booking)["ticket"]
    other = booking_state(app, world["AST"]["booking"])["ticket"]
    secret = app.config["SECRET_KEY"]
    auth.login(world["staff"].email)
    desk = "/staff/centres/ALM/check-in"

    forged = submit_form(client, desk, {"code": f"{ticket}.not-the-signature"}, page_url=desk)
    assert forged.status_code == 422
    assert "not issued by Kezek" in forged.get_data(as_text=True)

    elsewhere = submit_form(client, desk, {"code": ticket_codes.signed_code(other, secret)}, page_url=desk)
    assert elsewhere.status_code == 409
    assert f"Ticket {other} is for another exam centre (AST)" in elsewhere.get_data(as_text=True)

    unknown = submit_form(client, desk, {"code": "ALM-T-20261201-9999"}, page_url=desk)
    assert unknown.status_code == 404
    assert "No booking has the ticket ALM-T-20261201-9999." in unknown.get_data(as_text=True)


def test_no_qr_for_someone_elses_or_an_unconfirmed_booking(client, auth, make_user, applicant_booking):
    _applicant, booking = applicant_booking
    auth.login(make_user().email)
    assert client.get(f"/booking/{booking}/qr.png").status_code == 404
