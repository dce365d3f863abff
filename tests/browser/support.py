"""What several browser tests do on a page: register, sign in, start an exam, take a screenshot.

Kept out of conftest.py and the test modules on purpose: pytest imports those under a name of its
own, so a test importing them gets a second copy, and a second copy of SERIALS hands out the same
e-mail addresses and IINs again on the one live server. Screenshots land in test-artifacts/ (kept
by CI as artifacts, ignored by git).
"""

from __future__ import annotations

import itertools
import re
from datetime import date
from pathlib import Path

from app.auth.iin import make_iin
from app.demo.data import DEMO_PASSWORD
from tests.support.mail import registration_link

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SERIALS = itertools.count(1)
# Each journey registers people of its own birth date (the IIN starts with it) and e-mail prefix,
# so that nobody collides with another journey's accounts on the shared live server.
BIRTH_DATES = {
    "learner": date(2003, 4, 9),
    "applicant": date(2001, 6, 12),
    "examinee": date(2000, 2, 3),
    "trial": date(2004, 8, 21),
    "dark": date(1999, 11, 5),
}
# The live server's app (`live_server` sets it), whose outbox holds the registration links.
LIVE: dict = {}


def register_person(page, base: str, language: str, kind: str) -> str:
    serial = next(SERIALS)
    email = f"{kind}-{language}-{serial}@example.kz"
    page.goto(f"{base}/account/register")
    page.fill("#email", email)
    page.fill("#full_name", "Әлия Нұрланқызы")
    # Serials far apart: make_iin skips a serial without a valid check digit to the next one.
    page.fill("#iin", make_iin(BIRTH_DATES[kind], "female", serial * 11))
    page.select_option("#language", language)
    page.fill("#password", "steppe-road-2026")
    page.fill("#password_confirm", "steppe-road-2026")
    page.click("form.stack [type=submit]")
    page.wait_for_url(f"{base}/account/register/sent")
    # The link the e-mail carries, read from the live server's outbox; its page asks for a press.
    page.goto(base + registration_link(LIVE["app"], email))
    page.click("form.stack [type=submit]")
    page.wait_for_url(f"{base}/")
    return email


def sign_in(page, base: str, email: str) -> None:
    """Sign in with a demo account (staff land on their exam day, admins on the overview)."""
    page.goto(f"{base}/account/login")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.click("form.stack [type=submit]")
    page.wait_for_url(lambda url: "/account/login" not in url, timeout=30_000)


def start_exam(page, base: str, language: str) -> str:
    """Start a trial exam; returns the address of the attempt (its questions are below it)."""
    page.goto(f"{base}/exam/")
    page.select_option("#language", language)
    page.click("section[aria-labelledby=exam-title] [type=submit]")
    page.wait_for_url(re.compile(r"/exam/attempts/\d+/1$"))
    return page.url.rsplit("/", 1)[0]


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True, timeout=30_000)  # a busy machine


AXE_TAGS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def serious_violations(page) -> list:
    """axe-core's serious and critical WCAG 2.1 AA findings on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page, options=AXE_TAGS).response["violations"]
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations if v["impact"] in ("serious", "critical")
    ]


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def no_am_pm(page, language: str) -> None:
    """Kazakh and Russian pages use the 24-hour clock."""
    if language in ("kk", "ru"):
        assert not re.search(r"\b(AM|PM)\b", page.inner_text("body")), page.url
