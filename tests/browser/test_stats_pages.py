"""The public statistics on a phone (390 px) and a desktop (1280 px): no serious axe violation, no
horizontal scroll, charts with their tables, and filters that work without JavaScript. (axe in
three languages and the Nu validator run over these pages with every other page: test_page_quality.)"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.support import screenshot

pytestmark = pytest.mark.slow

PAGES = ["/stats/", "/stats/centres/ALM"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.mark.parametrize(("width", "language"), [(390, "kk"), (1280, "en")])
def test_statistics_fit_the_screen_and_pass_axe(live_server, new_page, width, language):
    page = new_page(language, width=width)
    axe = Axe()
    for url in PAGES:
        page.goto(f"{live_server}{url}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, url
        assert page.locator("figure.stat-chart svg rect").count() > 0, url
        assert page.locator("figure.stat-chart table").count() == 2, url
        violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
        serious = [
            (v["id"], [n["target"] for n in v["nodes"]][:3])
            for v in violations
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == [], (url, serious)
        screenshot(page, f"stats-{url.strip('/').replace('/', '-')}-{width}")


def test_filters_work_without_javascript(live_server, new_page):
    page = new_page("ru", javascript=False, width=390)
    page.goto(f"{live_server}/")
    page.click("footer a[href='/stats/']")
    page.select_option("#exam", "practical")
    page.select_option("#category", "B")
    page.click("form.stat-filters [type=submit]")
    assert "exam=practical" in page.url
    assert "Практический экзамен" in page.locator("h2#compare-title").inner_text()
    page.click("tbody th a")
    assert page.url.startswith(f"{live_server}/stats/centres/")
    assert page.locator("h2#months-title").inner_text().startswith("Практический экзамен")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
