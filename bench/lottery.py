"""The fair-release draw at the size of a big centre's rush: 10 000 requests with 5 choices each
over 500 places (100 slots of 5), timed from the published data to every outcome: the tokens'
lottery keys, the order and the allocation (app/rounds/lottery.py). `python -m bench.lottery`
prints the figure alone."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from app.rounds import lottery

REQUESTS, CHOICES, SLOTS, PLACES_PER_SLOT = 10_000, 5, 100, 5
NAME = "fair-release draw, 10 000 requests × 5 choices over 500 places"


@dataclass(frozen=True)
class DrawTimed:
    seconds: float
    winners: int


def draw_lottery(seed: int = 20) -> DrawTimed:
    chance = random.Random(seed)  # noqa: S311  (the data of a benchmark, not a secret)
    entries = [
        lottery.Entry(
            lottery.token(b"bench", 1, person), tuple(chance.sample(range(SLOTS), CHOICES)), chance.random() < 0.01
        )
        for person in range(REQUESTS)
    ]
    places = dict.fromkeys(range(SLOTS), PLACES_PER_SLOT)
    started = time.perf_counter()
    allocations = lottery.allocate(lottery.new_seed(), entries, places)
    seconds = time.perf_counter() - started
    return DrawTimed(seconds, sum(allocation.slot_id is not None for allocation in allocations))


if __name__ == "__main__":
    timed = draw_lottery()
    print(f"{NAME}: {timed.seconds:.3f} s, {timed.winners} places given")
