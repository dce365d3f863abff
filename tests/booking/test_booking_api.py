"""API v1 booking endpoints: centres, slots, hold, confirm, reschedule, cancel, calendar."""

from datetime import datetime, timedelta

import icalendar
import pytest

from tests.conftest import PASSWORD
from tests.support.booking_support import NOW, POLICY, freeze, local, make_slot
from tests.support.problems import assert_problem

CONFIRMATION = {"consent_personal_data": True, "fee_receipt": "KZ-2026-000123"}


@pytest.fixture
def api(client, make_user, centre):
    """An applicant's bearer token and a helper to call the API with it."""
    freeze(NOW)

    def sign_in(user=None):
        user = user or make_user()
        token = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD}).get_json()

        def call(method, path, headers=None, **kwargs):
            headers = {"Authorization": f"Bearer {token['token']}", **(headers or {})}
            return client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

        return call

    return sign_in


def test_centres(client, centre):
    body = client.get("/api/v1/centres").get_json()
    assert body == [
        {
            "code": "ALM",
            "name": "ALM centre",
            "city": "Almaty",
            "address": "1 Abai Avenue",
            "opening_hours": "",
            "timezone": "Asia/Almaty",
        }
    ]


def test_slots_show_free_places_in_the_centres_time(client, app, api):
    slot = make_slot(app, capacity=3)
    make_slot(app, category="C")
    make_slot(app, starts=local(2026, 12, 20))
    api()("POST", "/bookings", json={"slot_id": slot})
    response = client.get("/api/v1/slots?centre=ALM&exam=theory&category=B&from=2026-12-01&to=2026-12-07")
    assert response.status_code == 200
    assert response.get_json() == [
        {
            "id": slot,
            "centre": "ALM",
            "exam": "theory",
            "category": "B",
            "starts_at": "2026-12-03T09:00:00+05:00",
            "ends_at": "2026-12-03T10:00:00+05:00",
            "capacity": 3,
            "available": 2,
            "bookable": True,
        }
    ]
    # Without dates: from today (in the centre) for a week.
    assert [s["id"] for s in client.get("/api/v1/slots?centre=ALM&exam=theory&category=B").get_json()] == [slot]


def test_slots_say_which_can_be_booked_now(client, app, api):
    slots = {
        "past": make_slot(app, starts=local(2026, 11, 30, 9)),
        "within the cut-off": make_slot(app, starts=local(2026, 12, 1, 15)),
        "open": make_slot(app, starts=local(2026, 12, 3, 9)),
        "full": make_slot(app, starts=local(2026, 12, 4, 9), capacity=1),
    }
    api()("POST", "/bookings", json={"slot_id": slots["full"]})
    found = client.get("/api/v1/slots?centre=ALM&exam=theory&category=B&from=2026-11-30&to=2026-12-06").get_json()
    bookable = {slot["id"]: slot["bookable"] for slot in found}
    assert bookable == {slot: name == "open" for name, slot in slots.items()}


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("centre=XXX&exam=theory&category=B", 404),
        ("centre=ALM&exam=oral&category=B", 422),
        ("centre=ALM&exam=theory&category=Z", 422),
        ("centre=ALM&exam=theory&category=B&from=2026-12-07&to=2026-12-01", 422),
        ("exam=theory&category=B", 422),
    ],
)
def test_slots_query_errors(client, centre, query, status):
    assert client.get(f"/api/v1/slots?{query}").status_code == status


def test_hold_confirm_and_calendar(app, api):
    call = api()
    slot = make_slot(app)
    response = call("POST", "/bookings", json={"slot_id": slot})
    assert response.status_code == 201
    held = response.get_json()
    assert held["status"] == "held"
    assert held["hold_expires_at"] == "2026-12-01T09:15:00+05:00"
    assert held["slot"]["id"] == slot
    assert held["slot"]["starts_at"] == "2026-12-03T09:00:00+05:00"

    response = call("POST", f"/bookings/{held['id']}/confirm", json=CONFIRMATION)
    assert response.status_code == 200
    confirmed = response.get_json()
    assert confirmed["status"] == "confirmed"
    assert confirmed["ticket"] == "ALM-T-20261203-0001"
    assert [event["action"] for event in confirmed["history"]] == ["held", "confirmed"]

    listed = call("GET", "/bookings").get_json()
    assert [booking["id"] for booking in listed] == [held["id"]]
    assert call("GET", f"/bookings/{held['id']}").get_json()["ticket"] == "ALM-T-20261203-0001"

    response = call("GET", f"/bookings/{held['id']}/calendar.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    assert calendar["METHOD"] == "REQUEST"
    event = calendar.walk("VEVENT")[0]
    assert str(event["UID"]) == f"booking-{held['id']}@kezek.kz"
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART").isoformat() == "2026-12-03T09:00:00+05:00"
    assert event["DTSTART"].params["TZID"] == "Asia/Almaty"
    assert "1 Abai Avenue" in str(event["LOCATION"])
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Almaty"]


def test_calendar_updates_and_cancels_the_same_event(app, api):
    call = api()
    first, second = make_slot(app), make_slot(app, starts=local(2026, 12, 7))
    booking = call("POST", "/bookings", json={"slot_id": first}).get_json()["id"]
    call("POST", f"/bookings/{booking}/confirm", json=CONFIRMATION)

    def event():
        calendar = icalendar.Calendar.from_ical(call("GET", f"/bookings/{booking}/calendar.ics").data)
        return calendar["METHOD"], calendar.walk("VEVENT")[0]

    method, original = event()
    moved = call("POST", f"/bookings/{booking}/reschedule", json={"slot_id": second})
    assert moved.status_code == 200
    assert moved.get_json()["slot"]["id"] == second
    assert moved.get_json()["ticket"] == "ALM-T-20261207-0001"
    method, rescheduled = event()
    assert method == "REQUEST"
    assert rescheduled["UID"] == original["UID"]
    assert rescheduled["SEQUENCE"] == 1
    assert rescheduled.decoded("DTSTART").date().isoformat() == "2026-12-07"

    cancelled = call("POST", f"/bookings/{booking}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.get_json()["status"] == "cancelled"
    method, cancelled_event = event()
    assert method == "CANCEL"
    assert cancelled_event["UID"] == original["UID"]
    assert cancelled_event["SEQUENCE"] == 2
    assert cancelled_event["STATUS"] == "CANCELLED"


def test_calendar_needs_a_confirmed_booking(app, api):
    call = api()
    booking = call("POST", "/bookings", json={"slot_id": make_slot(app)}).get_json()["id"]
    assert_problem(call("GET", f"/bookings/{booking}/calendar.ics"), 409, "not-confirmed")


def test_slot_full(app, api):
    slot = make_slot(app, capacity=1)
    assert api()("POST", "/bookings", json={"slot_id": slot}).status_code == 201
    assert_problem(api()("POST", "/bookings", json={"slot_id": slot}), 409, "slot-full")


def test_not_eligible_names_the_rule(app, api):
    body = assert_problem(
        api()("POST", "/bookings", json={"slot_id": make_slot(app, exam="practical", capacity=4)}), 422, "not-eligible"
    )
    assert body["reason"] == "theory-required"
    assert "theory exam" in body["detail"]


def test_refusals_speak_the_callers_language(app, api):
    slot = make_slot(app, exam="practical", capacity=4)
    response = api()("POST", "/bookings", json={"slot_id": slot}, headers={"Accept-Language": "ru"})
    assert "теоретического экзамена" in response.get_json()["detail"]


def test_confirm_after_expiry(app, api):
    call = api()
    booking = call("POST", "/bookings", json={"slot_id": make_slot(app)}).get_json()["id"]
    freeze(NOW + POLICY.hold_ttl + timedelta(seconds=1))
    assert_problem(call("POST", f"/bookings/{booking}/confirm", json=CONFIRMATION), 409, "hold-expired")
    assert call("GET", f"/bookings/{booking}").get_json()["status"] == "expired"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"consent_personal_data": False, "fee_receipt": "KZ-1234"}, "consent_personal_data"),
        ({"consent_personal_data": True, "fee_receipt": "??"}, "fee_receipt"),
        ({"fee_receipt": "KZ-1234"}, "consent_personal_data"),
    ],
)
def test_confirm_field_errors(app, api, body, field):
    call = api()
    booking = call("POST", "/bookings", json={"slot_id": make_slot(app)}).get_json()["id"]
    problem = assert_problem(call("POST", f"/bookings/{booking}/confirm", json=body), 422, "validation-error")
    assert field in problem["errors"]


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "", None),
        ("GET", "/calendar.ics", None),
        ("POST", "/confirm", CONFIRMATION),
        ("POST", "/cancel", None),
        ("POST", "/reschedule", {"slot_id": 1}),
    ],
)
def test_another_users_booking_is_not_found(app, api, method, suffix, body):
    owner = api()
    booking = owner("POST", "/bookings", json={"slot_id": make_slot(app)}).get_json()["id"]
    owner("POST", f"/bookings/{booking}/confirm", json=CONFIRMATION)
    stranger = api()
    assert_problem(stranger(method, f"/bookings/{booking}{suffix}", json=body), 404, "not-found")
    assert stranger("GET", "/bookings").get_json() == []
    assert owner("GET", f"/bookings/{booking}").get_json()["status"] == "confirmed"


def test_booking_needs_a_token(client, app, centre):
    assert_problem(client.post("/api/v1/bookings", json={"slot_id": make_slot(app)}), 401, "unauthorized")
    assert_problem(client.get("/api/v1/bookings"), 401, "unauthorized")


def test_only_applicants_book(app, api, make_user):
    from app.auth.models import Role

    staff = make_user(role=Role.STAFF, centre_code="ALM")
    assert_problem(api(staff)("POST", "/bookings", json={"slot_id": make_slot(app)}), 403, "forbidden")


def test_booking_creation_is_rate_limited_per_person(app, api):
    slot = make_slot(app)
    call = api()
    statuses = [call("POST", "/bookings", json={"slot_id": slot}).status_code for _ in range(11)]
    assert statuses == [201] + [422] * 9 + [429]
    # Another person from the same address is not held back.
    assert api()("POST", "/bookings", json={"slot_id": slot}).status_code == 201


def test_openapi_describes_the_booking_api(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in [
        "/api/v1/centres",
        "/api/v1/slots",
        "/api/v1/bookings",
        "/api/v1/bookings/{booking_id}",
        "/api/v1/bookings/{booking_id}/confirm",
        "/api/v1/bookings/{booking_id}/reschedule",
        "/api/v1/bookings/{booking_id}/cancel",
        "/api/v1/bookings/{booking_id}/calendar.ics",
    ]:
        assert path in spec["paths"], path
    schemas = spec["components"]["schemas"]
    assert {"Booking", "Slot", "Centre", "Confirm", "Hold"} <= schemas.keys()
    assert "consent_personal_data" in schemas["Confirm"]["properties"]
    assert "available" in schemas["Slot"]["properties"]


def test_a_swept_hold_shows_its_expiry_in_the_history_without_a_row_for_it(app, api, client):
    """The sweep writes no history row for a hold that ran out: the booking's status and
    `hold_expires_at` give the step, at the instant the hold ended, on the API and the page alike."""
    import sqlalchemy as sa

    from app.booking.expiry import release_expired_holds
    from app.booking.models import BookingEvent
    from app.extensions import db

    call = api()
    booking = call("POST", "/bookings", json={"slot_id": make_slot(app)}).get_json()
    ended = NOW + POLICY.hold_ttl
    freeze(ended + timedelta(seconds=25))  # the sweep runs a little after the hold ended
    with app.app_context():
        assert release_expired_holds(db.session, ended + timedelta(seconds=25)) == 1
        db.session.commit()
        assert db.session.scalars(sa.select(BookingEvent.action)).all() == ["held"]
    history = call("GET", f"/bookings/{booking['id']}").get_json()["history"]
    assert [(step["action"], step["slot_id"]) for step in history] == [
        ("held", booking["slot"]["id"]),
        ("expired", booking["slot"]["id"]),
    ]
    assert datetime.fromisoformat(history[1]["at"]) == ended
