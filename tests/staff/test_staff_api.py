"""API v1 staff endpoints: roster, check-in, result, block; other centre → 404."""

from datetime import timedelta

import pytest

from app.auth.models import Role
from tests.conftest import PASSWORD, make_centre
from tests.support.booking_support import NOW, freeze, local, make_slot
from tests.support.problems import assert_problem
from tests.support.staff_support import book_before, booking_of, outbox, slot_of

TODAY_2PM = local(2026, 12, 1, 14)
ALL_DOCUMENTS = {"identity": True, "medical": True, "fee": True, "school": True}


@pytest.fixture
def setup(app, client, make_user):
    freeze(NOW)
    make_centre(app, "ALM")
    make_centre(app, "AST")
    own, other = make_slot(app, starts=TODAY_2PM), make_slot(app, centre_code="AST", starts=TODAY_2PM)
    applicant = make_user(full_name="Aigerim Test")
    return {
        "own": own,
        "other": other,
        "booking": book_before(app, applicant.id, own),
        "other_booking": book_before(app, make_user().id, other),
        "iin": applicant.iin,
        "staff": make_user(role=Role.STAFF, centre_code="ALM"),
        "applicant": applicant,
    }


def token_call(client, user):
    token = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD}).get_json()["token"]

    def call(method, path, **kwargs):
        return client.open(f"/api/v1{path}", method=method, headers={"Authorization": f"Bearer {token}"}, **kwargs)

    return call


def test_roster(client, setup):
    response = token_call(client, setup["staff"])("GET", f"/staff/slots/{setup['own']}/roster")
    assert response.status_code == 200
    body = response.get_json()
    assert body["slot"]["starts_at"] == "2026-12-01T14:00:00+05:00"
    [entry] = body["bookings"]
    iin = setup["iin"]
    assert (entry["id"], entry["full_name"], entry["iin"], entry["status"]) == (
        setup["booking"],
        "Aigerim Test",
        f"{iin[:4]}******{iin[-2:]}",
        "confirmed",
    )


def test_check_in_refuses_with_a_missing_document_and_records_it(app, client, setup):
    call = token_call(client, setup["staff"])
    path = f"/staff/bookings/{setup['booking']}/check-in"
    response = call("POST", path, json={"documents": {**ALL_DOCUMENTS, "school": False}})
    assert_problem(response, 422, "documents-missing")
    assert response.get_json()["missing"] == ["school"]
    assert booking_of(app, setup["booking"])["status"] == "refused"
    assert call("POST", path, json={"documents": {"identity": True}}).status_code == 422  # all four required
    admitted = call("POST", path, json={"documents": ALL_DOCUMENTS})
    assert admitted.status_code == 200
    assert admitted.get_json()["status"] == "attended"


def test_result_feeds_eligibility(app, client, setup):
    call = token_call(client, setup["staff"])
    call("POST", f"/staff/bookings/{setup['booking']}/check-in", json={"documents": ALL_DOCUMENTS})
    freeze(TODAY_2PM + timedelta(minutes=50))
    path = f"/staff/bookings/{setup['booking']}/result"
    assert_problem(call("POST", path, json={"passed": True}), 422, "validation-error")  # theory needs the score
    response = call("POST", path, json={"passed": True, "points": 36})
    assert response.status_code == 200
    assert (response.get_json()["status"], response.get_json()["score"]) == ("passed", 36)
    assert [kind for kind, *_ in outbox(app, "exam-result")] == ["exam-result"]
    # The applicant may now book the practical exam.
    practical = make_slot(app, exam="practical", starts=local(2026, 12, 10), capacity=4)
    applicant = token_call(client, setup["applicant"])
    assert applicant("POST", "/bookings", json={"slot_id": practical}).status_code == 201


def test_block(app, client, setup):
    call = token_call(client, setup["staff"])
    response = call("POST", f"/staff/slots/{setup['own']}/block", json={"reason": "Examiner ill"})
    assert response.status_code == 200
    assert (response.get_json()["cancelled"], response.get_json()["blocked_reason"]) == (1, "Examiner ill")
    assert [booking for _, booking, _ in outbox(app, "slot-blocked")] == [setup["booking"]]
    assert_problem(call("POST", f"/staff/slots/{setup['own']}/block", json={"reason": "Again"}), 409, "slot-blocked")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/staff/slots/{other}/roster", None),
        ("POST", "/staff/bookings/{other_booking}/check-in", {"documents": ALL_DOCUMENTS}),
        ("POST", "/staff/bookings/{other_booking}/result", {"passed": True, "points": 35}),
        ("POST", "/staff/slots/{other}/block", {"reason": "Not mine"}),
    ],
)
def test_another_centre_answers_404(app, client, setup, method, path, body):
    call = token_call(client, setup["staff"])
    assert_problem(call(method, path.format(**setup), json=body), 404, "not-found")
    assert slot_of(app, setup["other"])["blocked"] is None
    assert booking_of(app, setup["other_booking"])["status"] == "confirmed"


def test_applicants_may_not_use_the_staff_api(client, setup):
    call = token_call(client, setup["applicant"])
    assert_problem(call("GET", f"/staff/slots/{setup['own']}/roster"), 403, "forbidden")
    assert client.get(f"/api/v1/staff/slots/{setup['own']}/roster").status_code == 401


def test_openapi_describes_the_staff_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/staff/slots/{slot_id}/roster",
        "/api/v1/staff/bookings/{booking_id}/check-in",
        "/api/v1/staff/bookings/{booking_id}/result",
        "/api/v1/staff/slots/{slot_id}/block",
    ):
        assert path in paths
