"""The staff rules as tables: slots from weekly templates (holidays, closures, time zones), results,
and the dashboard's figures on a known data set."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from app.staff import figures, rules

ALMATY = ZoneInfo("Asia/Almaty")  # UTC+5


def template(weekday=0, opens=time(9), closes=time(12), minutes=60, categories=("B",), **changes):
    values = {
        "id": 1,
        "weekday": weekday,
        "opens_at": opens,
        "closes_at": closes,
        "slot_minutes": minutes,
        "capacity": 10,
        "exam_type": "theory",
        "categories": categories,
        "valid_from": date(2026, 1, 1),
        "valid_to": None,
        **changes,
    }
    return rules.TemplateFacts(**values)


@pytest.mark.parametrize(
    ("opens", "closes", "minutes", "expected"),
    [
        (time(9), time(12), 60, [time(9), time(10), time(11)]),
        (time(9), time(11, 30), 60, [time(9), time(10)]),  # a time must end by closing
        (time(9), time(10), 90, []),
        (time(14), time(16), 40, [time(14), time(14, 40), time(15, 20)]),
    ],
)
def test_day_times(opens, closes, minutes, expected):
    assert rules.day_times(opens, closes, minutes) == expected


def test_generation_skips_a_public_holiday():
    # Wednesday 16 December 2026 is Independence Day; the Wednesdays around it get their slots.
    planned = rules.plan_slots([template(weekday=2, closes=time(10))], ALMATY, date(2026, 12, 7), 21)
    assert [p.starts_at.astimezone(ALMATY).date() for p in planned] == [date(2026, 12, 9), date(2026, 12, 23)]


def test_generation_skips_closures_and_respects_validity():
    mondays = template(weekday=0, closes=time(10), valid_from=date(2026, 12, 7), valid_to=date(2026, 12, 28))
    closure = [(date(2026, 12, 14), date(2026, 12, 15))]
    planned = rules.plan_slots([mondays], ALMATY, date(2026, 11, 30), 35, closure)
    # 30 Nov: before validity; 14 Dec: closed; 4 Jan: after validity.
    assert [p.starts_at.astimezone(ALMATY).date() for p in planned] == [
        date(2026, 12, 7),
        date(2026, 12, 21),
        date(2026, 12, 28),
    ]


def test_generation_converts_the_centres_wall_clock_across_midnight_utc():
    # 02:00 on Monday in Almaty is 21:00 on Sunday in UTC: the slot still belongs to Monday.
    early = template(weekday=0, opens=time(2), closes=time(4), minutes=60, categories=("A", "B"))
    planned = rules.plan_slots([early], ALMATY, date(2026, 12, 7), 1)
    assert [(p.starts_at, p.category) for p in planned] == [
        (datetime(2026, 12, 6, 21, tzinfo=UTC), "A"),
        (datetime(2026, 12, 6, 21, tzinfo=UTC), "B"),
        (datetime(2026, 12, 6, 22, tzinfo=UTC), "A"),
        (datetime(2026, 12, 6, 22, tzinfo=UTC), "B"),
    ]
    assert planned[-1].ends_at == datetime(2026, 12, 6, 23, tzinfo=UTC)
    # The same template in another zone gives other UTC times on the same local day.
    aqtau = rules.plan_slots([early], ZoneInfo("Asia/Aqtau"), date(2026, 12, 7), 1)
    assert {p.starts_at.astimezone(ZoneInfo("Asia/Aqtau")).date() for p in aqtau} == {date(2026, 12, 7)}


@pytest.mark.parametrize(
    ("exam", "passed", "points", "problem"),
    [
        ("theory", True, 32, None),
        ("theory", True, 40, None),
        ("theory", False, 31, None),
        ("theory", False, 0, None),
        ("theory", True, 31, "score-contradicts-result"),
        ("theory", False, 32, "score-contradicts-result"),
        ("theory", True, 41, "score-out-of-range"),
        ("theory", True, None, "score-required"),
        ("practical", True, None, None),
        ("practical", False, 7, None),
        ("practical", True, -1, "points-negative"),
    ],
)
def test_result_rules(exam, passed, points, problem):
    assert rules.result_problem(exam, passed, points) == problem


MON, TUE, NEXT_MON = date(2026, 12, 7), date(2026, 12, 8), date(2026, 12, 14)


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), ALMATY).astimezone(UTC)


KNOWN_SLOTS = [
    figures.SlotRow(MON, capacity=10, taken=8, blocked=False),
    figures.SlotRow(MON, capacity=10, taken=2, blocked=False),
    figures.SlotRow(TUE, capacity=4, taken=1, blocked=False),
    figures.SlotRow(TUE, capacity=20, taken=0, blocked=True),  # blocked: offers nothing
    figures.SlotRow(NEXT_MON, capacity=5, taken=5, blocked=False),
]
KNOWN_BOOKINGS = [
    figures.BookingRow("theory", "passed", at(date(2026, 12, 1)), at(MON)),  # 6 days ahead
    figures.BookingRow("theory", "passed", at(date(2026, 12, 3)), at(MON)),  # 4
    figures.BookingRow("theory", "failed", at(date(2026, 12, 5)), at(MON)),  # 2
    figures.BookingRow("theory", "no-show", at(date(2026, 12, 6)), at(MON)),  # 1
    figures.BookingRow("practical", "failed", at(date(2026, 11, 28)), at(TUE)),  # 10
    figures.BookingRow("practical", "refused", at(date(2026, 12, 7)), at(TUE)),  # 1
    figures.BookingRow("practical", "cancelled", at(date(2026, 12, 1)), at(TUE)),  # not counted
    figures.BookingRow("theory", "held", None, at(NEXT_MON)),  # not confirmed: no lead time
]


def test_dashboard_figures_on_a_known_data_set():
    found = figures.compute(KNOWN_SLOTS, KNOWN_BOOKINGS)
    assert [(u.label, u.taken, u.capacity) for u in found.by_day] == [
        ("2026-12-07", 10, 20),
        ("2026-12-08", 1, 4),
        ("2026-12-14", 5, 5),
    ]
    assert [(u.label, u.taken, u.capacity) for u in found.by_week] == [("2026-W50", 11, 24), ("2026-W51", 5, 5)]
    assert [(u.first, u.last) for u in found.by_week] == [
        (date(2026, 12, 7), date(2026, 12, 13)),
        (date(2026, 12, 14), date(2026, 12, 20)),
    ]
    assert (found.total.taken, found.total.capacity) == (16, 29)
    assert found.exams == 6
    assert found.no_show_rate == pytest.approx(1 / 6)
    assert found.theory_pass_rate == pytest.approx(2 / 3)
    assert found.practical_pass_rate == 0
    assert (found.lead_days_median, found.lead_days_mean) == (3.0, 4.0)


def test_no_data_gives_no_rates_and_no_chart():
    found = figures.compute([], [])
    assert (found.total.rate, found.no_show_rate, found.theory_pass_rate, found.lead_days_median) == (
        None,
        None,
        None,
        None,
    )
    assert figures.utilisation_chart(found.by_day) is None


def test_utilisation_chart_scales_bars_to_the_rate():
    chart = figures.utilisation_chart(figures.compute(KNOWN_SLOTS, []).by_day)
    assert [(bar.day, bar.percent) for bar in chart.bars] == [(MON, 50), (TUE, 25), (NEXT_MON, 100)]
    full, half = chart.bars[2], chart.bars[0]
    assert full.y + full.height == chart.baseline == half.y + half.height
    assert half.height == pytest.approx(full.height / 2, abs=0.1)
