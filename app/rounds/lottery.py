"""The lottery of a fair-release round: pure functions of published data, no database.

- Each request gets a pseudonymous `token`: HMAC-SHA-256 of the round and the person under a
  server secret. It can be published: nobody without the secret can link it to a request or a person.
- The seed is 32 random bytes, chosen at the announcement; its SHA-256 (`commitment`) is published
  then, the seed itself after the draw, so it could not have been chosen to favour anyone.
- The lottery order: the priority group first (people whose exam the centre cancelled), then
  everyone else; within each group by SHA-256(seed || token). The time of filing plays no part.
- The allocation is random serial dictatorship: in lottery order each request takes its most
  preferred choice that still has a free place. Stating one's true preferences is the best one can do.
- A choice is a slot id or a `DayPart` (a day and part of day at the centre): the latter stands for
  the round's slots of that day and part, earliest start first (then by id), so it is the same as
  listing them in that order (`expand`). Which slots those are follows from the slots' published
  local start times (`day_parts`), so a verifier needs nothing more.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

# Parts of the day in the centre's zone: morning before 12:00, afternoon 12:00-17:00, evening after.
PARTS = ("morning", "afternoon", "evening")
AFTERNOON_FROM, EVENING_FROM = 12, 17


def part_of_day(local_start: datetime) -> str:
    """The part of day of a slot's start given in the centre's own zone (its wall-clock hour)."""
    if local_start.hour < AFTERNOON_FROM:
        return "morning"
    return "afternoon" if local_start.hour < EVENING_FROM else "evening"


@dataclass(frozen=True)
class DayPart:
    """A choice of "any time on that day in that part of the day" at the round's centre."""

    day: date
    part: str

    def sort_key(self) -> tuple[date, int]:
        return self.day, PARTS.index(self.part)

    def published(self) -> dict[str, str]:
        return {"date": self.day.isoformat(), "part": self.part}


Choice = int | DayPart


def parse_choice(value: Any) -> Choice:
    """A choice as stored and published: a slot id, or {"date": "YYYY-MM-DD", "part": "morning"}.
    Raises ValueError for anything else."""
    if isinstance(value, bool):
        raise ValueError("not a choice")
    if isinstance(value, int):
        return value
    if isinstance(value, dict) and set(value) == {"date", "part"} and value["part"] in PARTS:
        return DayPart(date.fromisoformat(str(value["date"])), value["part"])
    raise ValueError("not a choice")


def stored_choice(choice: Choice) -> int | dict[str, str]:
    return choice.published() if isinstance(choice, DayPart) else choice


def day_parts(local_starts: Mapping[int, datetime]) -> dict[DayPart, tuple[int, ...]]:
    """The slot ids of each day and part, earliest start first (ties by id): what a DayPart stands for."""
    groups: dict[DayPart, list[tuple[datetime, int]]] = defaultdict(list)
    for slot_id, start in local_starts.items():
        groups[DayPart(start.date(), part_of_day(start))].append((start, slot_id))
    return {key: tuple(slot_id for _start, slot_id in sorted(found)) for key, found in groups.items()}


def expand(choices: Iterable[Choice], groups: Mapping[DayPart, tuple[int, ...]]) -> tuple[int, ...]:
    """The choices as slot ids in order of preference, each once (a later mention adds nothing)."""
    slot_ids: dict[int, None] = {}
    for choice in choices:
        for slot_id in groups.get(choice, ()) if isinstance(choice, DayPart) else (choice,):
            slot_ids.setdefault(slot_id, None)
    return tuple(slot_ids)


@dataclass(frozen=True)
class Entry:
    """A request as the lottery sees it (and as it is published)."""

    token: str
    choices: tuple[Choice, ...]  # slot ids or DayParts, most preferred first
    priority: bool = False


@dataclass(frozen=True)
class Allocation:
    token: str
    position: int  # 1-based place in the lottery order
    slot_id: int | None  # None: no choice had a free place left at this turn


def new_seed() -> str:
    return secrets.token_hex(32)


def commitment(seed: str) -> str:
    """The SHA-256 of the seed's bytes, published when the round is announced."""
    return hashlib.sha256(bytes.fromhex(seed)).hexdigest()


def token(secret: bytes, round_id: int, person_id: int) -> str:
    """The request's pseudonym: HMAC-SHA-256 of the round and the person under the server's secret.
    Per person and round (not per filing), so withdrawing and filing again cannot re-roll the ticket."""
    return hmac.new(secret, f"round:{round_id}:person:{person_id}".encode(), hashlib.sha256).hexdigest()


def lottery_key(seed: str, entry_token: str) -> str:
    """SHA-256(seed bytes || token as ASCII): the draw's random number for this request."""
    return hashlib.sha256(bytes.fromhex(seed) + entry_token.encode("ascii")).hexdigest()


def lottery_order(seed: str, entries: Iterable[Entry]) -> list[Entry]:
    """Priority group first, each group by its lottery key (ties, impossible in practice, by token)."""
    return sorted(entries, key=lambda entry: (not entry.priority, lottery_key(seed, entry.token), entry.token))


def allocate(
    seed: str,
    entries: Iterable[Entry],
    places: Mapping[int, int],
    groups: Mapping[DayPart, tuple[int, ...]] | None = None,
) -> list[Allocation]:
    """Serial dictatorship over the lottery order: each takes its best choice with a place left
    (for a DayPart, the earliest of its slots with a place left; `groups` as `day_parts` gives)."""
    free = dict(places)
    allocations = []
    for position, entry in enumerate(lottery_order(seed, entries), start=1):
        slot_ids = expand(entry.choices, groups or {}) if groups else entry.choices
        chosen = next((slot_id for slot_id in slot_ids if free.get(slot_id, 0) > 0), None)
        if chosen is not None:
            free[chosen] -= 1
        allocations.append(Allocation(entry.token, position, chosen))
    return allocations
