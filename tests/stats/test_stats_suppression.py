"""The privacy rule: no figure built from fewer than 10 people, and none that a subtraction of
published figures would give back (a city's total minus its other centres)."""

from __future__ import annotations

from types import SimpleNamespace

from app.stats.suppression import MEDIAN, P90, THRESHOLD, percentile, publish


def cell(results: int, passed: int, waits: dict[int, int] | None = None, **counts) -> SimpleNamespace:
    waits = waits or {}
    values = {
        "sat": results,
        "results": results,
        "passed": passed,
        "first_results": results,
        "first_passed": passed,
        "expected": results,
        "no_shows": 0,
        "waited": sum(waits.values()),
        "wait_histogram": {str(days): people for days, people in waits.items()},
        "offered": results * 2,
        "booked": results,
        "cancelled_by_centre": 0,
        "slots_blocked": 0,
    }
    return SimpleNamespace(**{**values, **counts})


def test_a_group_under_ten_is_too_few_to_show():
    small = publish([cell(9, 5, {3: 9}, cancelled_by_centre=4)])
    hidden = ("exams_held", "pass_rate_all", "pass_rate_first", "waiting_days_median", "waiting_days_p90")
    hidden += ("no_show_rate", "utilisation", "places_cancelled_by_centre")
    assert {name: getattr(small, name) for name in hidden} == dict.fromkeys(hidden)
    shown = publish([cell(THRESHOLD, 5, {3: 10})])
    assert (shown.exams_held, shown.pass_rate_all, shown.waiting_days_median) == (10, 0.5, 3)
    assert shown.places_cancelled_by_centre == 0  # about nobody: nothing to hide


def test_a_city_total_minus_the_other_centres_gives_nothing_back():
    big, other, small = cell(40, 30, {5: 40}), cell(25, 10, {9: 25}), cell(4, 1, {60: 4})
    centres = [publish([c]) for c in (big, other, small)]
    city = publish([big, other, small])
    assert (centres[2].exams_held, centres[2].pass_rate_all) == (None, None)
    # The subtraction an attacker would do, on exams held and on passes (rate × exams).
    assert city.exams_held - centres[0].exams_held - centres[1].exams_held == 0 != small.sat
    passes = round(city.pass_rate_all * city.exams_held)
    assert passes - round(centres[0].pass_rate_all * 40) - round(centres[1].pass_rate_all * 25) == 0
    assert city.pass_rate_all == 40 / 65
    # The small centre's wait (60 days) moves no published percentile.
    assert city.waiting_days_p90 == 9
    assert {"exams_held", "pass_rate_all", "waiting_days_p90"} <= city.partial
    assert not centres[0].partial


def test_totals_of_small_groups_only_are_too_few_even_when_they_add_up_to_ten():
    # 6 + 6 people are 12, but each month alone is too few: a total of them would reveal both
    # months to whoever also reads one month elsewhere (a period minus a month).
    months = publish([cell(6, 3), cell(6, 4)])
    assert (months.exams_held, months.pass_rate_all) == (None, None)


def test_percentiles_are_nearest_rank():
    waits = {1: 5, 2: 4, 10: 1}
    assert percentile(waits, MEDIAN) == 1
    assert percentile(waits, P90) == 2
    assert percentile({7: 1}, P90) == 7
    assert percentile({}, MEDIAN) is None
