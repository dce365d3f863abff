"""What may be published of the summary rows: no figure built from fewer than 10 people.

The unit of publication is a cell (one centre, exam, licence category and month). A figure of a
cell is shown only when the people it is built from number at least THRESHOLD (a count of nobody,
0, is shown: it is about nobody). Every larger figure — all categories, a whole period, a city —
is built from the cells whose figure is shown, and only from them. So no total ever contains a
hidden figure, and no subtraction (a city's total minus its other centres, a year minus its other
months, one filter's answer minus another's) can bring one back: this holds for any period or
filter anyone asks for, which suppressing a complementary cell per table cannot promise. Totals that
leave a hidden cell out are marked (`partial`), without saying how many people it held.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol

THRESHOLD = 10
MEDIAN, P90 = Fraction(1, 2), Fraction(9, 10)

# Each published figure and the count of people it is built from.
BASES = {
    "exams_held": "sat",
    "pass_rate_first": "first_results",
    "pass_rate_all": "results",
    "no_show_rate": "expected",
    "waiting_days_median": "waited",
    "waiting_days_p90": "waited",
    "utilisation": "booked",
    "places_cancelled_by_centre": "cancelled_by_centre",
}


class Counts(Protocol):
    """A summary row, or anything with its counts (tests use plain objects)."""

    sat: int
    results: int
    passed: int
    first_results: int
    first_passed: int
    expected: int
    no_shows: int
    waited: int
    wait_histogram: dict[str, int]
    offered: int
    booked: int
    cancelled_by_centre: int
    slots_blocked: int


def shown(people: int) -> bool:
    """Whether a figure built from `people` may be published (0: nobody, nothing to protect)."""
    return people == 0 or people >= THRESHOLD


@dataclass(frozen=True)
class Published:
    """The figures of one cell or of a set of cells; None: too few to show."""

    exams_held: int | None
    pass_rate_first: float | None
    pass_rate_all: float | None
    no_show_rate: float | None
    waiting_days_median: int | None
    waiting_days_p90: int | None
    utilisation: float | None
    places_cancelled_by_centre: int | None
    slots_blocked: int
    # Figures that leave out a cell too small to show.
    partial: frozenset[str] = frozenset()

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in (*BASES, "slots_blocked")}


def percentile(histogram: dict[int, int], share: Fraction) -> int | None:
    """The nearest-rank percentile: the smallest value with at least `share` of the people at or below it."""
    total = sum(histogram.values())
    if not total:
        return None
    rank, running = math.ceil(share * total), 0
    for value in sorted(histogram):
        running += histogram[value]
        if running >= rank:
            return value
    return None  # pragma: no cover (the ranks add up to the total)


def _kept(cells: Sequence[Counts], base: str) -> tuple[list[Counts], bool]:
    """The cells whose figure over `base` may be used, and whether any was left out."""
    kept = [cell for cell in cells if getattr(cell, base) >= THRESHOLD]
    return kept, any(0 < getattr(cell, base) < THRESHOLD for cell in cells)


def _rate(cells: Sequence[Counts], base: str, numerator: str) -> tuple[float | None, bool]:
    kept, partial = _kept(cells, base)
    people = sum(getattr(cell, base) for cell in kept)
    return (sum(getattr(cell, numerator) for cell in kept) / people if people else None), partial


def _count(cells: Sequence[Counts], name: str) -> tuple[int | None, bool]:
    partial = any(not shown(getattr(cell, name)) for cell in cells)
    total = sum(getattr(cell, name) for cell in cells if shown(getattr(cell, name)))
    return (None if partial and not total else total), partial


def publish(cells: Iterable[Counts]) -> Published:
    cells = list(cells)
    values, partial = {}, set()
    for name, (value, left_out) in {
        "exams_held": _count(cells, "sat"),
        "pass_rate_first": _rate(cells, "first_results", "first_passed"),
        "pass_rate_all": _rate(cells, "results", "passed"),
        "no_show_rate": _rate(cells, "expected", "no_shows"),
        "places_cancelled_by_centre": _count(cells, "cancelled_by_centre"),
    }.items():
        values[name] = value
        if left_out:
            partial.add(name)
    kept, left_out = _kept(cells, "booked")
    offered = sum(cell.offered for cell in kept)
    values["utilisation"] = sum(cell.booked for cell in kept) / offered if offered else None
    if left_out:
        partial.add("utilisation")
    kept, left_out = _kept(cells, "waited")
    waits: Counter[int] = Counter()
    for cell in kept:
        waits.update({int(days): people for days, people in (cell.wait_histogram or {}).items()})
    values["waiting_days_median"] = percentile(waits, MEDIAN)
    values["waiting_days_p90"] = percentile(waits, P90)
    if left_out:
        partial.update({"waiting_days_median", "waiting_days_p90"})
    return Published(**values, slots_blocked=sum(cell.slots_blocked for cell in cells), partial=frozenset(partial))
