"""Checking a draw from what was published alone: the seed, its hash announced beforehand, the
places of each slot and its local start time (what "a day and part of day" choices stand for) and,
per request, its token, priority, choices, position and outcome.

`verify` is pure: `flask rounds verify`, the public page and anyone's own script do the same sum.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.rounds import lottery
from app.rounds.models import Outcome, ReleaseRound, RoundRequest


@dataclass
class Verification:
    problems: list[str] = field(default_factory=list)

    @property
    def matches(self) -> bool:
        return not self.problems


def published(session: Session, release: ReleaseRound) -> dict[str, Any]:
    """The round's public results (after the draw): no names, no IINs, no request ids."""
    requests = session.scalars(
        select(RoundRequest)
        .where(RoundRequest.round_id == release.id)
        .order_by(RoundRequest.position.is_(None), RoundRequest.position, RoundRequest.token)
    )
    return {
        "round": release.id,
        "seed_sha256": release.seed_sha256,
        "seed": release.seed if release.places is not None else None,
        "places": dict(release.places or {}),
        "slots": dict(release.slot_starts or {}),
        "requests": [request.published() for request in requests],
    }


def verify(data: dict[str, Any]) -> Verification:
    """Recompute the draw from `data` (as `published` gives it) and list every difference."""
    result = Verification()
    seed = data.get("seed")
    if not seed:
        result.problems.append("no seed published: the round is not drawn")
        return result
    if lottery.commitment(seed) != data.get("seed_sha256"):
        result.problems.append("the seed does not match the hash announced with the round")
    places = {int(slot_id): int(count) for slot_id, count in data.get("places", {}).items()}
    groups = lottery.day_parts(
        {int(slot_id): datetime.fromisoformat(start) for slot_id, start in data.get("slots", {}).items()}
    )
    in_lottery = [row for row in data.get("requests", []) if row.get("outcome") != Outcome.INELIGIBLE]
    entries = []
    for row in in_lottery:
        try:
            choices = tuple(lottery.parse_choice(choice) for choice in row["choices"])
        except ValueError:
            result.problems.append(f"token {row['token'][:12]}…: a choice is neither a slot nor a day and part")
            return result
        entries.append(lottery.Entry(row["token"], choices, bool(row.get("priority"))))
    allocations = lottery.allocate(seed, entries, places, groups)
    expected = {allocation.token: allocation for allocation in allocations}
    for row in in_lottery:
        allocation = expected[row["token"]]
        outcome = Outcome.WON if allocation.slot_id is not None else Outcome.LOST
        if (row.get("position"), row.get("slot_id"), row.get("outcome")) != (
            allocation.position,
            allocation.slot_id,
            outcome.value,
        ):
            result.problems.append(
                f"token {row['token'][:12]}…: published position {row.get('position')}, "
                f"{row.get('outcome')} {row.get('slot_id')}; recomputed {allocation.position}, "
                f"{outcome.value} {allocation.slot_id}"
            )
    return result
