"""The lottery of a fair-release round: pure functions of published data, no database.

- Each request gets a pseudonymous `token`: HMAC-SHA-256 of the round and the person under a
  server secret. It can be published: nobody without the secret can link it to a request or a person.
- The seed is 32 random bytes, chosen at the announcement; its SHA-256 (`commitment`) is published
  then, the seed itself after the draw, so it could not have been chosen to favour anyone.
- The lottery order: the priority group first (people whose exam the centre cancelled), then
  everyone else; within each group by SHA-256(seed || token). The time of filing plays no part.
- The allocation is random serial dictatorship: in lottery order each request takes its most
  preferred choice that still has a free place. Stating one's true preferences is the best one can do.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    """A request as the lottery sees it (and as it is published)."""

    token: str
    choices: tuple[int, ...]  # slot ids, most preferred first
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


def allocate(seed: str, entries: Iterable[Entry], places: Mapping[int, int]) -> list[Allocation]:
    """Serial dictatorship over the lottery order: each takes its best choice with a place left."""
    free = dict(places)
    allocations = []
    for position, entry in enumerate(lottery_order(seed, entries), start=1):
        chosen = next((slot_id for slot_id in entry.choices if free.get(slot_id, 0) > 0), None)
        if chosen is not None:
            free[chosen] -= 1
        allocations.append(Allocation(entry.token, position, chosen))
    return allocations
