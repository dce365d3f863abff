"""Choices of "a day and part of day at that centre": filed over the API and the form, refused
when invalid, drawn as the earliest free slot of that day part, and verified from the published
data alone (the slots' local start times are published with the places)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.auth.models import User
from app.extensions import db
from app.rounds.models import ReleaseRound, RoundRequest
from tests.conftest import submit_form
from tests.support.booking_support import NOW, freeze, local, make_slot
from tests.support.rounds_support import DRAW, ROUND_DAY, announce_round, bearer, round_slots, verified_applicants

MORNING = {"date": ROUND_DAY.isoformat(), "part": "morning"}
AFTERNOON = {"date": ROUND_DAY.isoformat(), "part": "afternoon"}


def _round(app, capacity: int = 1):
    """Three morning slots (09:00, 10:00, 11:00) and one afternoon slot (15:00), in Almaty."""
    morning = round_slots(app, count=3, capacity=capacity)
    afternoon = make_slot(app, starts=local(2026, 12, ROUND_DAY.day, 15), capacity=capacity)
    return morning, afternoon, announce_round(app)


def test_a_day_part_is_filed_and_invalid_ones_are_refused(app, client, centre):
    _morning, afternoon, round_id = _round(app)
    first, second = verified_applicants(app, 2)
    url = f"/api/v1/rounds/{round_id}/requests"
    freeze(NOW + timedelta(minutes=1))
    listed = client.get(f"/api/v1/rounds/{round_id}").json
    assert listed["day_parts"] == [MORNING, AFTERNOON]
    filed = client.post(url, json={"choices": [MORNING, afternoon]}, headers=bearer(app, first))
    assert filed.status_code == 201, filed.json
    assert filed.json["choices"] == [MORNING, afternoon]
    headers = bearer(app, second)
    for bad in (
        [{"date": ROUND_DAY.isoformat(), "part": "night"}],  # no such part of day
        [{"date": "10.12.2026", "part": "morning"}],  # not an ISO date
        [{"date": ROUND_DAY.isoformat()}],  # no part
        ["morning"],
        [True],
    ):
        answer = client.post(url, json={"choices": bad}, headers=headers)
        assert answer.status_code == 422, bad
        assert answer.headers["Content-Type"].startswith("application/problem+json")
        assert "choices" in answer.json["errors"], bad
    # A part of day with no slot of the round, or the same day part twice, is a field error too.
    evening = {"date": ROUND_DAY.isoformat(), "part": "evening"}
    for bad in ([evening], [MORNING, MORNING]):
        answer = client.post(url, json={"choices": bad}, headers=headers)
        assert answer.status_code == 422, bad
        assert "choices" in answer.json["errors"]


def test_the_draw_gives_the_earliest_free_slot_of_the_day_part_and_verifies(app, client, centre, runner):
    morning, afternoon, round_id = _round(app)
    people = verified_applicants(app, 5)
    freeze(NOW + timedelta(minutes=1))
    for person in people:
        answer = client.post(
            f"/api/v1/rounds/{round_id}/requests", json={"choices": [MORNING]}, headers=bearer(app, person)
        )
        assert answer.status_code == 201
    freeze(DRAW + timedelta(seconds=1))
    assert runner.invoke(args=["rounds", "draw", str(round_id)]).exit_code == 0
    results = client.get(f"/api/v1/rounds/{round_id}/results").json
    assert results["matches"] is True
    # In lottery order the first three get 09:00, 10:00 and 11:00; the afternoon slot nobody asked for.
    by_position = sorted(results["requests"], key=lambda row: row["position"])
    assert [row["slot_id"] for row in by_position] == [*morning, None, None]
    assert all(row["choices"] == [MORNING] for row in by_position)
    assert results["slots"][str(morning[0])] == "2026-12-10T09:00:00+05:00"
    assert results["slots"][str(afternoon)] == "2026-12-10T15:00:00+05:00"
    assert runner.invoke(args=["rounds", "verify", str(round_id)]).exit_code == 0
    page = client.get(f"/rounds/{round_id}/results").get_data(as_text=True)
    assert 'id="verification-result"' in page
    assert "does NOT match" not in page
    # Publishing another start time for a morning slot moves it to the afternoon: no longer verifies.
    with app.app_context():
        release = db.session.get(ReleaseRound, round_id)
        release.slot_starts = release.slot_starts | {str(morning[0]): "2026-12-10T16:00:00+05:00"}
        db.session.commit()
    assert runner.invoke(args=["rounds", "verify", str(round_id)]).exit_code == 1


def test_a_day_part_partly_refused_at_the_draw_is_published_as_its_allowed_slots(app, client, centre):
    """When the rules refuse some of a day part's slots at the draw, the others stand in its place,
    in the same order: what is published is what the lottery used."""
    from app.rounds.drawing import _entry, _Request
    from app.rounds.lottery import DayPart, day_parts

    starts = {1: local(2026, 12, 10, 9), 2: local(2026, 12, 10, 10), 3: local(2026, 12, 10, 15)}
    groups = day_parts(starts)
    request = _Request(1, 1, "t", [MORNING, 3])
    refused = type("Refusal", (), {"reason": "retake-wait"})()
    entry, _reason = _entry(
        request, "theory", [], groups, starts, lambda slot_id, _h: refused if slot_id == 1 else None
    )
    assert entry.choices == (2, 3)
    entry, _reason = _entry(request, "theory", [], groups, starts, lambda _slot_id, _h: None)
    assert entry.choices == (DayPart(ROUND_DAY, "morning"), 3)
    entry, reason = _entry(request, "theory", [], groups, starts, lambda _slot_id, _h: refused)
    assert (entry, reason) == (None, "retake-wait")


def test_the_form_offers_day_parts_and_my_requests_shows_them(app, client, auth, centre, make_user):
    morning, _afternoon, round_id = _round(app)
    user = make_user()
    with app.app_context():
        db.session.execute(
            sa.update(User).where(User.id == user.id).values(phone="+77012345678", phone_confirmed_at=NOW)
        )
        db.session.commit()
    auth.login(user.email)
    freeze(NOW + timedelta(minutes=3))
    html = client.get(f"/rounds/{round_id}").get_data(as_text=True)
    assert 'value="2026-12-10/afternoon"' in html
    assert "any afternoon time (12:00–17:00)" in html
    assert 'value="2026-12-10/evening"' not in html  # no slot in the evening
    answer = submit_form(
        client,
        f"/rounds/{round_id}/request",
        {"choice_1": "2026-12-10/afternoon", "choice_2": morning[1], "choice_3": 0, "choice_4": 0, "choice_5": 0},
        page_url=f"/rounds/{round_id}",
        follow_redirects=True,
    )
    assert "Your request is saved" in answer.get_data(as_text=True)
    with app.app_context():
        stored = db.session.scalar(sa.select(RoundRequest.choices).where(RoundRequest.round_id == round_id))
    assert stored == [AFTERNOON, morning[1]]
    # Reordered without JavaScript, the day part moves like a slot.
    submit_form(client, f"/rounds/{round_id}/request/move", {"index": 0, "step": "1"}, page_url=f"/rounds/{round_id}")
    with app.app_context():
        stored = db.session.scalar(sa.select(RoundRequest.choices).where(RoundRequest.round_id == round_id))
    assert stored == [morning[1], AFTERNOON]
    mine = client.get("/rounds/mine").get_data(as_text=True)
    assert "any afternoon time (12:00–17:00)" in mine
    assert "10:00" in mine
    # A value that is not an option of this round is a field error.
    bad = submit_form(
        client,
        f"/rounds/{round_id}/request",
        {"choice_1": "2026-12-10/night", "choice_2": 0, "choice_3": 0, "choice_4": 0, "choice_5": 0},
        page_url=f"/rounds/{round_id}",
    )
    assert bad.status_code == 422
