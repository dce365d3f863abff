"""The rounds API: listing, filing with its refusals, changing and withdrawing before the draw,
the draw and its public results."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.auth.models import User
from app.booking.models import Booking
from app.core.errors import DomainError
from app.extensions import db
from app.notify import kinds
from app.notify.models import OutboxMessage
from app.rounds import announcing
from app.rounds.models import ReleaseRound, RoundRequest
from tests.support.booking_support import NOW, book, freeze, hold, make_slot
from tests.support.rounds_support import DRAW, announce_round, bearer, round_slots, verified_applicants


def test_a_round_is_listed_with_its_hash_but_not_its_seed(app, client, centre):
    slots = round_slots(app, count=3, capacity=2)
    round_id = announce_round(app)
    listed = client.get("/api/v1/rounds?centre=ALM&exam=theory&category=B").json
    assert [r["id"] for r in listed] == [round_id]
    body = listed[0]
    assert body["status"] == "upcoming"
    assert body["places"] == 6
    assert body["requests"] == 0
    assert body["seed"] is None
    assert len(body["seed_sha256"]) == 64
    assert sorted(body["slots"]) == sorted(slots)
    assert body["opens_at"].endswith("+05:00")


def test_round_places_cannot_be_booked_directly_until_the_draw(app, client, centre):
    slots = round_slots(app, count=1)
    announce_round(app)
    (person,) = verified_applicants(app, 1)
    headers = bearer(app, person)
    answer = client.post("/api/v1/bookings", json={"slot_id": slots[0]}, headers=headers)
    assert answer.status_code == 409
    assert answer.json["code"] == "slot-in-round"
    listed = client.get("/api/v1/slots?centre=ALM&exam=theory&category=B&from=2026-12-10&to=2026-12-10").json
    assert listed[0]["bookable"] is False
    assert listed[0]["available"] == 0


def test_filing_and_its_refusals(app, client, centre):
    slots = round_slots(app, count=3)
    other = make_slot(app, capacity=5)  # not in the round
    round_id = announce_round(app)
    first, second, practical_only = verified_applicants(app, 3)
    url = f"/api/v1/rounds/{round_id}/requests"
    # Before the opening: closed.
    answer = client.post(url, json={"choices": slots[:2]}, headers=bearer(app, first))
    assert (answer.status_code, answer.json["code"]) == (409, "round-closed")
    freeze(NOW + timedelta(minutes=5))
    filed = client.post(url, json={"choices": [slots[1], slots[0]]}, headers=bearer(app, first))
    assert filed.status_code == 201, filed.json
    assert filed.json["choices"] == [slots[1], slots[0]]
    assert len(filed.json["token"]) == 64
    again = client.post(url, json={"choices": [slots[2]]}, headers=bearer(app, first))
    assert (again.status_code, again.json["code"]) == (409, "request-exists")
    # Slots of another round (or none) and too many choices are field errors.
    outside = client.post(url, json={"choices": [other]}, headers=bearer(app, second))
    assert outside.status_code == 422
    assert "choices" in outside.json["errors"]
    too_many = client.post(url, json={"choices": [1, 2, 3, 4, 5, 6]}, headers=bearer(app, second))
    assert too_many.status_code == 422
    # Someone already booked for this exam is not eligible, with the reason.
    book(app, practical_only, other, now=NOW + timedelta(minutes=5))
    refused = client.post(url, json={"choices": [slots[0]]}, headers=bearer(app, practical_only))
    assert (refused.status_code, refused.json["code"], refused.json["reason"]) == (
        422,
        "not-eligible",
        "already-booked",
    )
    # After the draw time: closed.
    freeze(DRAW)
    late = client.post(url, json={"choices": [slots[0]]}, headers=bearer(app, second))
    assert (late.status_code, late.json["code"]) == (409, "round-closed")


def test_an_unconfirmed_phone_cannot_file(app, client, centre, make_user):
    slots = round_slots(app, count=1)
    round_id = announce_round(app)
    user = make_user()
    freeze(NOW + timedelta(minutes=1))
    answer = client.post(f"/api/v1/rounds/{round_id}/requests", json={"choices": slots}, headers=bearer(app, user.id))
    assert (answer.status_code, answer.json["code"]) == (403, "phone-not-confirmed")


def test_change_and_withdraw_until_the_draw(app, client, centre):
    slots = round_slots(app, count=3)
    round_id = announce_round(app)
    (person,) = verified_applicants(app, 1)
    headers = bearer(app, person)
    freeze(NOW + timedelta(minutes=1))
    request_id = client.post(f"/api/v1/rounds/{round_id}/requests", json={"choices": [slots[0]]}, headers=headers).json[
        "id"
    ]
    changed = client.put(f"/api/v1/requests/{request_id}", json={"choices": [slots[2], slots[0]]}, headers=headers)
    assert changed.status_code == 200
    assert changed.json["choices"] == [slots[2], slots[0]]
    assert client.delete(f"/api/v1/requests/{request_id}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/requests/{request_id}", headers=headers).status_code == 404
    refiled = client.post(f"/api/v1/rounds/{round_id}/requests", json={"choices": [slots[1]]}, headers=headers).json
    freeze(DRAW + timedelta(seconds=1))
    late_change = client.put(f"/api/v1/requests/{refiled['id']}", json={"choices": [slots[0]]}, headers=headers)
    assert (late_change.status_code, late_change.json["code"]) == (409, "round-closed")
    assert client.delete(f"/api/v1/requests/{refiled['id']}", headers=headers).status_code == 409
    # Someone else's request is as good as absent.
    (stranger,) = verified_applicants(app, 1, first=50)
    assert client.get(f"/api/v1/requests/{refiled['id']}", headers=bearer(app, stranger)).status_code == 404


def test_the_draw_gives_holds_and_publishes_verifiable_results(app, client, centre, runner):
    slots = round_slots(app, count=2, capacity=2)
    round_id = announce_round(app)
    people = verified_applicants(app, 7)
    freeze(NOW + timedelta(minutes=2))
    for number, person in enumerate(people):
        choices = [slots[number % 2], slots[(number + 1) % 2]]
        assert (
            client.post(
                f"/api/v1/rounds/{round_id}/requests", json={"choices": choices}, headers=bearer(app, person)
            ).status_code
            == 201
        )
    assert client.get(f"/api/v1/rounds/{round_id}/results").status_code == 409
    freeze(DRAW + timedelta(seconds=5))
    result = runner.invoke(args=["rounds", "draw", str(round_id)])
    assert result.exit_code == 0, result.output
    assert "4 won, 3 lost" in result.output
    assert "drawn (or cancelled) already" in runner.invoke(args=["rounds", "draw", str(round_id)]).output
    results = client.get(f"/api/v1/rounds/{round_id}/results").json
    assert results["matches"] is True
    assert [row["position"] for row in results["requests"]] == list(range(1, 8))
    assert sum(row["outcome"] == "won" for row in results["requests"]) == 4
    listed = client.get(f"/api/v1/rounds/{round_id}").json
    assert listed["status"] == "drawn"
    assert listed["seed"] == results["seed"]
    with app.app_context():
        holds_made = db.session.scalars(sa.select(Booking).where(Booking.status == "held")).all()
        assert len(holds_made) == 4
        assert all(b.hold_expires_at == DRAW + timedelta(seconds=5, hours=24) for b in holds_made)
        requests = db.session.scalars(sa.select(RoundRequest)).all()
        assert {r.booking_id for r in requests if r.outcome == "won"} == {b.id for b in holds_made}
        kinds = sorted(db.session.scalars(sa.text("SELECT kind FROM outbox_message WHERE kind LIKE 'round-%'")).all())
        assert kinds == ["round-lost"] * 3 + ["round-won"] * 4
        # The results name nobody.
        names = {u.full_name for u in db.session.scalars(sa.select(User))}
    text = str(results)
    assert not any(name in text for name in names)
    assert runner.invoke(args=["rounds", "verify", str(round_id)]).exit_code == 0
    # A changed published outcome no longer verifies.
    with app.app_context():
        winner = db.session.scalars(sa.select(RoundRequest).where(RoundRequest.outcome == "won")).first()
        winner.slot_id = slots[0] if winner.slot_id == slots[1] else slots[1]
        db.session.commit()
    failed = runner.invoke(args=["rounds", "verify", str(round_id)])
    assert failed.exit_code == 1
    assert client.get(f"/api/v1/rounds/{round_id}/results").json["matches"] is False


def _round_with_requests(app, client, people: int, count: int, capacity: int):
    """A round over `count` slots in which `people` applicants each chose all of them."""
    slots = round_slots(app, count=count, capacity=capacity)
    round_id = announce_round(app)
    filed = verified_applicants(app, people)
    freeze(NOW + timedelta(minutes=2))
    for person in filed:
        url, headers = f"/api/v1/rounds/{round_id}/requests", bearer(app, person)
        assert client.post(url, json={"choices": slots}, headers=headers).status_code == 201
    return slots, round_id, filed


def test_places_nobody_won_open_first_come_first_served(app, client, centre):
    slots, _round_id, _people = _round_with_requests(app, client, 2, count=1, capacity=3)
    freeze(DRAW)
    from app.jobs import tasks

    with app.app_context():
        assert tasks.run_in_context("draw-rounds") == "1 rounds drawn"
    (late,) = verified_applicants(app, 1, first=60)
    # The one place nobody won is bookable first come, first served now.
    assert hold(app, late, slots[0], now=DRAW) > 0


def test_people_whose_exam_the_centre_cancelled_draw_first(app, client, centre):
    slots = round_slots(app, count=1, capacity=1)
    earlier = make_slot(app, capacity=1)
    round_id = announce_round(app)
    people = verified_applicants(app, 6)
    priority_person = people[3]
    booking_id = hold(app, priority_person, earlier, now=NOW - timedelta(days=2))
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        booking.status, booking.cancelled_at, booking.rebook_priority = "cancelled", NOW - timedelta(days=1), True
        db.session.execute(sa.text("UPDATE slot SET booked = 0 WHERE id = :id"), {"id": earlier})
        db.session.commit()
    freeze(NOW + timedelta(minutes=2))
    for person in people:
        client.post(f"/api/v1/rounds/{round_id}/requests", json={"choices": slots}, headers=bearer(app, person))
    freeze(DRAW)
    from app.jobs import tasks

    with app.app_context():
        tasks.run_in_context("draw-rounds")
        winner = db.session.scalars(sa.select(RoundRequest).where(RoundRequest.outcome == "won")).one()
        assert (winner.user_id, winner.position, winner.priority) == (priority_person, 1, True)
    assert client.get(f"/api/v1/rounds/{round_id}/results").json["matches"] is True


def test_places_nobody_won_go_to_the_waitlist_of_that_day_first(app, client, centre):
    from app.booking import waitlist
    from app.booking.models import WaitlistEntry
    from tests.support.booking_support import POLICY, local
    from tests.support.rounds_support import ROUND_DAY

    full = make_slot(app, starts=local(2026, 12, ROUND_DAY.day, 16), capacity=1)  # not in the round
    slots = round_slots(app, count=1, capacity=2)
    requester, taker, waiting = verified_applicants(app, 3)
    book(app, taker, full, now=NOW - timedelta(minutes=5))  # full before the round: it does not join
    round_id = announce_round(app)
    with app.app_context():
        person = db.session.get(User, waiting)
        waitlist.join_waitlist(db.session, person, full, NOW, POLICY, whole_day=True)
        db.session.commit()
    freeze(NOW + timedelta(minutes=1))
    client.post(f"/api/v1/rounds/{round_id}/requests", json={"choices": slots}, headers=bearer(app, requester))
    freeze(DRAW)
    from app.jobs import tasks

    with app.app_context():
        tasks.run_in_context("draw-rounds")
        entry = db.session.scalars(sa.select(WaitlistEntry)).one()
        assert entry.status == "offered"
        offered = db.session.get(Booking, entry.offered_booking_id)
        assert (offered.user_id, offered.slot_id, offered.status) == (waiting, slots[0], "held")


def test_every_requester_hears_once_that_the_round_is_cancelled(app, client, centre):
    _slots, round_id, people = _round_with_requests(app, client, 3, count=2, capacity=2)
    with app.app_context():
        announcing.cancel(db.session, db.session.get(ReleaseRound, round_id), NOW + timedelta(minutes=3))
        db.session.commit()
        with pytest.raises(DomainError) as again:
            announcing.cancel(db.session, db.session.get(ReleaseRound, round_id), NOW + timedelta(minutes=4))
        assert again.value.code == "round-finished"
        db.session.rollback()
        messages = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind.like("round-%"))).all()
        assert sorted((m.kind, m.user_id) for m in messages) == [("round-cancelled", person) for person in people]
        assert {m.payload["round_id"] for m in messages} == {round_id}
        with app.test_request_context(), force_locale("en"):
            content = kinds.kind_of("round-cancelled").render(messages[0])
        assert content.subject == "The round you filed a request in is cancelled"
        assert content.action[1].endswith(f"/rounds/{round_id}")
