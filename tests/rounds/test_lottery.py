"""The lottery's pure functions: the allocation against a brute-force reference (hypothesis), its
properties, fairness over 400 simulated draws, and verification from published data alone."""

from __future__ import annotations

import hashlib
import math
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from app.booking.models import Booking, Slot
from app.extensions import db
from app.notify.models import OutboxMessage
from app.rounds import lottery
from app.rounds.models import ReleaseRound, RoundRequest
from app.rounds.verifying import verify

SECRET = b"test-secret"


def _reference(seed: str, entries, places, starts=None):
    """Written out the long way: order by the hash, then for each in turn count what is taken. A day
    part stands for the slots starting that local day in that part (before 12, before 17, after),
    earliest first, then by id."""
    starts = starts or {}

    def candidates(choice):
        if not isinstance(choice, lottery.DayPart):
            return [choice]
        hours = {"morning": range(12), "afternoon": range(12, 17), "evening": range(17, 24)}[choice.part]
        found = [(start, slot_id) for slot_id, start in starts.items() if start.date() == choice.day]
        return [slot_id for start, slot_id in sorted(found) if start.hour in hours]

    keyed = []
    for entry in entries:
        digest = hashlib.sha256(bytes.fromhex(seed) + entry.token.encode()).hexdigest()
        keyed.append((0 if entry.priority else 1, digest, entry.token, entry))
    keyed.sort()
    taken: list[int] = []
    result = {}
    for position, (_group, _digest, _token, entry) in enumerate(keyed, start=1):
        chosen = None
        for slot_id in (slot_id for choice in entry.choices for slot_id in candidates(choice)):
            if taken.count(slot_id) < places.get(slot_id, 0):
                chosen = slot_id
                break
        if chosen is not None:
            taken.append(chosen)
        result[entry.token] = (position, chosen)
    return result


ALMATY = ZoneInfo("Asia/Almaty")
DAYS = [date(2026, 12, 10), date(2026, 12, 11)]


@st.composite
def draws(draw):
    slot_ids = list(range(1, draw(st.integers(1, 6)) + 1))
    places = {slot_id: draw(st.integers(0, 3)) for slot_id in slot_ids}
    # Slots over two days at any hour (several may start together: then the id decides).
    starts = {
        slot_id: datetime.combine(draw(st.sampled_from(DAYS)), time(draw(st.integers(8, 19))), ALMATY)
        for slot_id in slot_ids
    }
    day_parts = [lottery.DayPart(day, part) for day in DAYS for part in lottery.PARTS]
    people = draw(st.integers(0, 25))
    entries = []
    for person in range(people):
        options = st.sampled_from([*slot_ids, 99, *day_parts])
        choices = draw(st.lists(options, min_size=1, max_size=5, unique=True))
        entries.append(lottery.Entry(lottery.token(SECRET, 1, person), tuple(choices), draw(st.booleans())))
    seed = draw(st.binary(min_size=32, max_size=32)).hex()
    return seed, entries, places, starts


@settings(max_examples=300, deadline=None)
@given(draws())
def test_the_allocation_matches_the_reference_and_keeps_its_promises(case):
    seed, entries, places, starts = case
    groups = lottery.day_parts(starts)
    allocations = lottery.allocate(seed, entries, places, groups)
    assert {a.token: (a.position, a.slot_id) for a in allocations} == _reference(seed, entries, places, starts)
    # Nobody twice, every request once, positions 1..n.
    assert sorted(a.token for a in allocations) == sorted(e.token for e in entries)
    assert [a.position for a in allocations] == list(range(1, len(entries) + 1))
    # Each place at most once.
    for slot_id, count in places.items():
        assert sum(a.slot_id == slot_id for a in allocations) <= count
    assert all(a.slot_id is None or a.slot_id in places for a in allocations)
    # Each holds the best choice still free at their turn; a loser found all choices full.
    by_token = {e.token: e for e in entries}
    for allocation in allocations:
        before = [a.slot_id for a in allocations if a.position < allocation.position]
        wanted = lottery.expand(by_token[allocation.token].choices, groups)
        free_then = [c for c in wanted if before.count(c) < places.get(c, 0)]
        assert allocation.slot_id == (free_then[0] if free_then else None)
    # The priority group first.
    priority = [a.position for a in allocations if by_token[a.token].priority]
    others = [a.position for a in allocations if not by_token[a.token].priority]
    assert not priority or not others or max(priority) < min(others)


def test_the_order_depends_on_the_seed_and_the_tokens_only():
    entries = [lottery.Entry(lottery.token(SECRET, 7, person), (1,)) for person in range(20)]
    seed = lottery.new_seed()
    assert lottery.lottery_order(seed, entries) == lottery.lottery_order(seed, list(reversed(entries)))
    assert lottery.lottery_order(seed, entries) != lottery.lottery_order(lottery.new_seed(), entries)
    assert lottery.commitment(seed) == hashlib.sha256(bytes.fromhex(seed)).hexdigest()
    # A token is a pseudonym: another secret, round or person gives another one.
    assert len({lottery.token(SECRET, 7, 1), lottery.token(b"other", 7, 1), lottery.token(SECRET, 8, 1)}) == 3


def _chi_square_p(statistic: float, degrees: int) -> float:
    """The upper tail of the chi-square distribution: 1 - P(k/2, x/2), by the gamma series."""
    a, x = degrees / 2, statistic / 2
    term = total = 1 / a
    n = 0
    while term > 1e-15 * total:
        n += 1
        term *= x / (a + n)
        total += term
    return 1 - math.exp(-x + a * math.log(x) - math.lgamma(a)) * total


def test_the_chi_square_tail_is_right():
    assert abs(_chi_square_p(21.666, 9) - 0.01) < 1e-4  # the table's critical value
    assert abs(_chi_square_p(9.0, 9) - 0.4373) < 1e-3


def test_filing_early_wins_nothing_over_400_draws():
    """1 000 requests for 50 places, filed in order 0..999: each wins 5 % of the draws whichever
    tenth of the filing order it is in (chi-square over the deciles, p > 0.01)."""
    draws_count, people, slots = 400, 1000, {slot_id: 5 for slot_id in range(10)}
    wins_by_decile = [0] * 10
    for number in range(draws_count):
        seed = hashlib.sha256(f"simulated draw {number}".encode()).hexdigest()
        entries = [
            lottery.Entry(lottery.token(SECRET, number, person), ((person + number) % 10, (person * 7) % 10))
            for person in range(people)
        ]
        winners = {a.token for a in lottery.allocate(seed, entries, slots) if a.slot_id is not None}
        assert len(winners) == 50
        for person, entry in enumerate(entries):
            if entry.token in winners:
                wins_by_decile[person // 100] += 1
    total = sum(wins_by_decile)
    assert total / (draws_count * people) == 0.05
    expected = total / 10
    statistic = sum((wins - expected) ** 2 / expected for wins in wins_by_decile)
    assert _chi_square_p(statistic, 9) > 0.01, wins_by_decile


def _published(seed, entries, places, starts=None):
    starts = starts or {}
    groups = lottery.day_parts({int(key): datetime.fromisoformat(value) for key, value in starts.items()})
    rows = []
    for allocation in lottery.allocate(seed, entries, {int(key): count for key, count in places.items()}, groups):
        entry = next(e for e in entries if e.token == allocation.token)
        rows.append(
            {
                "token": entry.token,
                "priority": entry.priority,
                "choices": [lottery.stored_choice(choice) for choice in entry.choices],
                "position": allocation.position,
                "outcome": "won" if allocation.slot_id else "lost",
                "slot_id": allocation.slot_id,
            }
        )
    return {"seed": seed, "seed_sha256": lottery.commitment(seed), "places": places, "slots": starts, "requests": rows}


def test_verify_reads_day_part_choices_from_the_published_start_times():
    """Slot 1 at 09:00 and slot 2 at 10:00 are the morning; slot 3 at 15:00 the afternoon. Recomputing
    needs only the published local starts; moving a slot into another part of day breaks it."""
    seed = lottery.new_seed()
    starts = {"1": "2026-12-10T09:00:00+05:00", "2": "2026-12-10T10:00:00+05:00", "3": "2026-12-10T15:00:00+05:00"}
    morning = lottery.DayPart(date(2026, 12, 10), "morning")
    entries = [lottery.Entry(lottery.token(SECRET, 4, p), (morning, 3) if p % 2 else (morning,)) for p in range(6)]
    data = _published(seed, entries, {"1": 1, "2": 2, "3": 1}, starts)
    assert verify(data).matches
    assert {row["slot_id"] for row in data["requests"]} == {1, 2, 3, None}
    assert {"date": "2026-12-10", "part": "morning"} in data["requests"][0]["choices"]
    data["slots"]["3"] = "2026-12-10T11:00:00+05:00"  # now a morning slot: the order of the morning changes
    data["slots"]["1"] = "2026-12-10T12:00:00+05:00"
    assert not verify(data).matches
    broken = _published(seed, entries, {"1": 1, "2": 2, "3": 1}, starts)
    broken["requests"][0]["choices"] = [{"date": "2026-12-10", "part": "night"}]
    assert "neither a slot nor a day and part" in verify(broken).problems[0]


def test_verify_accepts_a_true_draw_and_finds_any_change():
    seed = lottery.new_seed()
    entries = [lottery.Entry(lottery.token(SECRET, 3, p), (1, 2) if p % 2 else (2,), p == 4) for p in range(12)]
    data = _published(seed, entries, {"1": 2, "2": 3})
    assert verify(data).matches
    loser = next(row for row in data["requests"] if row["outcome"] == "lost")
    winner = next(row for row in data["requests"] if row["outcome"] == "won")
    loser["outcome"], loser["slot_id"], winner["outcome"], winner["slot_id"] = "won", winner["slot_id"], "lost", None
    assert not verify(data).matches
    other_seed = _published(lottery.new_seed(), entries, {"1": 2, "2": 3})
    other_seed["seed_sha256"] = data["seed_sha256"]
    assert "the seed does not match" in verify(other_seed).problems[0]


def _check_bench_draw(timed) -> None:
    """Every place given once, to the lottery's winners, each with one hold and one message."""
    release = db.session.get(ReleaseRound, timed.round_id)
    requests = db.session.scalars(sa.select(RoundRequest).where(RoundRequest.round_id == release.id)).all()
    entries = [lottery.Entry(r.token, tuple(r.choices), r.priority) for r in requests]
    expected = {
        a.token: a for a in lottery.allocate(release.seed, entries, {int(k): v for k, v in release.places.items()})
    }
    assert {(r.token, r.position, r.slot_id) for r in requests} == {
        (t, a.position, a.slot_id) for t, a in expected.items()
    }
    winners = [r for r in requests if r.outcome == "won"]
    assert len(winners) == timed.winners == 500
    assert {r.outcome for r in requests} == {"won", "lost"}
    holds = db.session.scalars(sa.select(Booking).where(Booking.id.in_([r.booking_id for r in winners]))).all()
    assert sorted((b.user_id, b.slot_id, b.status) for b in holds) == sorted(
        (r.user_id, r.slot_id, "held") for r in winners
    )
    assert all([e.action for e in b.recorded_events] == ["held"] for b in holds)
    slots = db.session.scalars(sa.select(Slot).where(Slot.id.in_([int(k) for k in release.places]))).all()
    assert {(s.booked, s.round_id) for s in slots} == {(5, None)}
    kinds = db.session.execute(
        sa.select(OutboxMessage.kind, sa.func.count(), sa.func.count(sa.distinct(OutboxMessage.user_id)))
        .where(OutboxMessage.user_id.in_([r.user_id for r in requests]))
        .group_by(OutboxMessage.kind)
    ).all()
    lost = len(requests) - 500
    assert sorted(kinds) == [("round-lost", lost, lost), ("round-won", 500, 500)]
    won = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "round-won").limit(1)).one()
    assert won.payload["round_id"] == release.id
    assert won.payload["hold_expires_at"]
    assert won.booking_id


def test_the_bench_draw_in_the_database_gives_every_place_once(app, centre):
    from bench.lottery import draw_in_database

    timed = draw_in_database(app, requests=1_500)
    with app.app_context():
        _check_bench_draw(timed)
