"""Numbers and dates on the staff pages in the reader's language, and a chart whose labels fit."""

from datetime import UTC, date, datetime

import pytest
from bs4 import BeautifulSoup

from app.auth.models import Role
from app.core import formats
from app.staff import figures


@pytest.mark.parametrize(
    ("language", "day", "moment", "number", "week"),
    [
        ("ru", "01.12.2026", "01.12.2026 19:05", "3,5", "30.11.2026–06.12.2026"),
        ("kk", "01.12.2026", "01.12.2026 19:05", "3,5", "30.11.2026–06.12.2026"),
        ("en", "12/1/2026", "12/1/2026 19:05", "3.5", "11/30/2026–12/6/2026"),
    ],
)
def test_formats_follow_the_language(app, language, day, moment, number, week):
    with app.test_request_context(headers={"Accept-Language": language}):
        assert formats.numeric_date(date(2026, 12, 1)) == day
        assert formats.numeric_datetime(datetime(2026, 12, 1, 14, 5, tzinfo=UTC), "Asia/Almaty") == moment
        assert formats.decimal(3.5) == number
        assert formats.day_range(date(2026, 11, 30), date(2026, 12, 6)) == week


def test_dashboard_in_russian_weeks_as_dates_and_decimal_commas(app, client, auth, make_user, world):
    person = make_user(role=Role.STAFF, centre_code="ALM", language="ru")
    auth.login(person.email)
    html = client.get("/staff/centres/ALM/dashboard?first_day=2026-11-30&last_day=2026-12-06").get_data(as_text=True)
    page = BeautifulSoup(html, "html.parser")
    assert "-W" not in page.select_one("main").get_text()
    assert [row.th.get_text() for row in page.select("table tbody tr")] == ["30.11.2026–06.12.2026"]
    lead = page.select(".figures dd")[-1].get_text()
    assert lead.startswith("медиана 3,2 ")  # confirmed 3 days before 09:00, the exam at 14:00
    assert page.select_one("svg text.chart-label--small").get_text() == "01.12"


def test_chart_labels_stay_inside_the_picture():
    rows = [figures.Utilisation(f"d{n}", n, 31, date(2026, 12, n + 1), date(2026, 12, n + 1)) for n in range(31)]
    chart = figures.utilisation_chart(rows)
    assert chart.slanted  # 31 labels side by side would overlap
    assert chart.bars[0].x >= chart.pad
    assert chart.baseline + 14 + 30 <= chart.height  # a slanted dd.MM label (≈ 30 units) fits below
    assert chart.y_ticks[-1][0] - 12 >= 0  # the 100 % tick's label is not cut at the top
    few = figures.utilisation_chart(rows[:5])
    assert not few.slanted
