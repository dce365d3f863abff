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

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SERIALS = itertools.count(1)
# Each journey registers people of its own birth date (the IIN starts with it) and e-mail prefix,
# so that nobody collides with another journey's accounts on the shared live server.
BIRTH_DATES = {"learner": date(2003, 4, 9), "applicant": date(2001, 6, 12), "examinee": date(2000, 2, 3)}


def register_person(page, base: str, language: str, kind: str) -> str:
    serial = next(SERIALS)
    email = f"{kind}-{language}-{serial}@example.kz"
    page.goto(f"{base}/account/register")
    page.fill("#email", email)
    page.fill("#full_name", "Әлия Нұрланқызы")
    page.fill("#iin", make_iin(BIRTH_DATES[kind], "female", serial))
    page.select_option("#language", language)
    page.fill("#password", "steppe-road-2026")
    page.fill("#password_confirm", "steppe-road-2026")
    page.click("form.stack [type=submit]")
    page.wait_for_url(f"{base}/")
    return email


def sign_in(page, base: str, email: str) -> None:
    """Sign in with a demo account (staff land on their exam day, admins on the overview)."""
    page.goto(f"{base}/account/login")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.click("form.stack [type=submit]")
    page.wait_for_url(lambda url: "/account/login" not in url)


def start_exam(page, base: str, language: str) -> str:
    """Start a trial exam; returns the address of the attempt (its questions are below it)."""
    page.goto(f"{base}/exam/")
    page.select_option("#language", language)
    page.click("section[aria-labelledby=exam-title] [type=submit]")
    page.wait_for_url(re.compile(r"/exam/attempts/\d+/1$"))
    return page.url.rsplit("/", 1)[0]


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
