"""API v1: POST /appeals answers with the receipt; GET /appeals/{id} for the applicant and the
staff of the centre that has the case (anyone else: 404)."""

import pytest

from app.appeals import centre_steps
from app.auth.models import Role
from tests.conftest import PASSWORD, make_centre
from tests.support.appeals_support import ADDRESS, ESSENCE, booking_with_result, file, staff_step
from tests.support.booking_support import NOW, freeze
from tests.support.problems import assert_problem


@pytest.fixture
def people(app, make_user, centre):
    freeze(NOW)
    make_centre(app, "AST")
    return {
        "applicant": make_user(),
        "other": make_user(),
        "staff": make_user(role=Role.STAFF, centre_code="ALM", full_name="Erlan Zhaksybekov"),
        "astana": make_user(role=Role.STAFF, centre_code="AST"),
        "admin": make_user(role=Role.ADMIN),
    }


@pytest.fixture
def api(client, people):
    def as_(who: str):
        body = client.post("/api/v1/auth/token", json={"email": people[who].email, "password": PASSWORD}).get_json()

        def call(method, path, **kwargs):
            return client.open(
                f"/api/v1{path}", method=method, headers={"Authorization": f"Bearer {body['token']}"}, **kwargs
            )

        return call

    return as_


def test_post_an_appeal_answers_with_the_receipt(app, api, people):
    booking = booking_with_result(app, people["applicant"].id)
    body = {"subject": "exam-result", "booking_id": booking, "essence": ESSENCE, "postal_address": ADDRESS}
    response = api("applicant")("POST", "/appeals", json=body)
    assert response.status_code == 201
    assert response.get_json() == {
        "id": 1,
        "receipt_number": "APL-ALM-2026-000001",
        "received_at": "2026-12-01T09:00:00+05:00",
        "due_date": "2026-12-23",
        "status": "received",
    }


def test_a_refused_booking_is_appealed_to_a_named_centre(api, people):
    body = {"subject": "booking", "centre": "AST", "essence": ESSENCE, "postal_address": ADDRESS}
    assert api("applicant")("POST", "/appeals", json=body).get_json()["receipt_number"] == "APL-AST-2026-000001"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"subject": "booking", "centre": "ALM", "essence": " ", "postal_address": ADDRESS}, {"essence"}),
        ({"subject": "exam-result", "essence": ESSENCE, "postal_address": ADDRESS}, {"booking_id"}),
        ({"subject": "booking", "essence": ESSENCE, "postal_address": ADDRESS}, {"centre"}),
        ({"subject": "other", "essence": ESSENCE}, {"subject", "postal_address"}),
    ],
)
def test_incomplete_appeals_answer_422_with_the_fields(api, people, body, fields):
    body = assert_problem(api("applicant")("POST", "/appeals", json=body), 422, "validation-error")
    assert set(body["errors"]) == fields


def test_another_persons_booking_is_not_found(app, api, people):
    booking = booking_with_result(app, people["other"].id)
    body = {"subject": "exam-result", "booking_id": booking, "essence": ESSENCE, "postal_address": ADDRESS}
    assert_problem(api("applicant")("POST", "/appeals", json=body), 404, "booking-not-found")


def test_only_applicants_file_and_a_token_is_needed(client, api, people):
    body = {"subject": "booking", "centre": "ALM", "essence": ESSENCE, "postal_address": ADDRESS}
    assert_problem(api("staff")("POST", "/appeals", json=body), 403, "forbidden")
    assert_problem(client.post("/api/v1/appeals", json=body), 401, "unauthorized")


def test_get_shows_deadlines_registrar_and_decision(app, api, people):
    appeal = file(app, people["applicant"].id, centre_code="ALM")
    staff_step(app, centre_steps.register, appeal, people["staff"].id, "Chief specialist")
    staff_step(app, centre_steps.decide, appeal, people["staff"].id, "rejected", "Correct as marked.")
    body = api("applicant")("GET", f"/appeals/{appeal}").get_json()
    assert body["status"] == "decided"
    assert body["refer_by"] == "2026-12-04"
    assert body["due_date"] == "2026-12-23"
    assert body["registered_by"] == {
        "name": "Erlan Zhaksybekov",
        "position": "Chief specialist",
        "at": "2026-12-01T09:00:00+05:00",
    }
    assert body["decision"] == {
        "outcome": "rejected",
        "reasons": "Correct as marked.",
        "decided_at": "2026-12-01T09:00:00+05:00",
    }
    assert body["complaint_by"] == "2027-03-01"
    assert body["next_step"] is None
    assert [event["action"] for event in body["history"]] == ["received", "registered", "decided"]


@pytest.mark.parametrize(
    ("who", "status"), [("applicant", 200), ("staff", 200), ("admin", 200), ("other", 404), ("astana", 404)]
)
def test_get_for_the_applicant_and_the_centre_only(app, api, people, who, status):
    appeal = file(app, people["applicant"].id, centre_code="ALM")
    response = api(who)("GET", f"/appeals/{appeal}")
    assert response.status_code == status
    if status == 404:
        assert_problem(response, 404, "not-found")
    else:
        assert response.get_json()["next_step"] == {"step": "register-or-refer", "due": "2026-12-04"}


def test_openapi_describes_the_appeals(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"post"} <= paths["/api/v1/appeals"].keys()
    assert {"get"} <= paths["/api/v1/appeals/{appeal_id}"].keys()
