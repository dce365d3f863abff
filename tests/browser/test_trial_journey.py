"""A first-time visitor on a phone and a desktop, in Kazakh, Russian and English: one tap from the
home page to a trial exam in exam mode (no menu, a sticky timer, each choice saved as it is made,
leaving asks first), the result, then registering keeps it in the history. And the learner's pages
in dark mode pass axe too."""

from __future__ import annotations

import re

import pytest

from tests.browser.support import (
    no_am_pm,
    no_sideways_scroll,
    register_person,
    screenshot,
    serious_violations,
)

# A real browser against a live server: `make test` runs it, `make test-fast` leaves it out.
pytestmark = pytest.mark.slow


@pytest.mark.parametrize(("language", "width"), [("kk", 390), ("ru", 1280), ("en", 390)])
def test_anonymous_trial_exam_is_kept_by_registering(live_server, new_page, language, width):
    page = new_page(language, width=width)
    page.goto(f"{live_server}/")
    no_sideways_scroll(page)
    screenshot(page, f"trial-home-{language}-{width}")
    page.click("form.quick-start [type=submit]")
    page.wait_for_url(re.compile(r"/exam/attempts/\d+/1$"))
    attempt = page.url.rsplit("/", 1)[0]

    # Exam mode: no site menu, one language switch, the question bar stays in view.
    assert page.locator("header nav").count() == 0
    assert page.locator("form.lang-switch, form.lang-inline").count() == 1
    assert page.locator(".exam-head").evaluate("e => getComputedStyle(e).position") == "sticky"
    assert page.locator(".question-image, .choice").first.is_visible()
    for box in page.locator(".choice, .exam-actions .button, .exam-grid .grid-cell, .lang-inline .chip").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().height)"
    ):
        assert box >= 43.9
    no_sideways_scroll(page)
    no_am_pm(page, language)

    chosen = page.locator("input[name=option]").nth(1)
    chosen.check()
    page.locator("#save-status").filter(has_text=re.compile(r"\S")).wait_for()
    value = chosen.get_attribute("value")
    screenshot(page, f"trial-exam-mode-{language}-{width}")

    # Leaving by a link asks first; saying no keeps the exam and the choice.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("a.brand")
    assert page.url == f"{attempt}/1"
    assert page.locator(f"input[name=option][value='{value}']").is_checked()
    page.goto(f"{attempt}/2")  # the choice was saved without pressing a button
    page.goto(f"{attempt}/1")
    assert page.locator(f"input[name=option][value='{value}']").is_checked()

    page.click("button[value=finish]")
    page.wait_for_url(f"{attempt}/finish")
    page.click("form.exam-actions [type=submit]")
    page.wait_for_url(f"{attempt}/result")
    result = page.url.removeprefix(live_server)
    assert page.locator(".result-summary").is_visible()
    assert page.locator(".result-next").is_visible()
    no_sideways_scroll(page)
    screenshot(page, f"trial-result-{language}-{width}")

    register_person(page, live_server, language, "trial")
    no_sideways_scroll(page)
    no_am_pm(page, language)
    assert page.locator(f".result-list a[href='{result}']").count() == 1
    screenshot(page, f"trial-learner-home-{language}-{width}")
    page.goto(f"{live_server}/exam/history")
    assert page.locator(f"a[href='{result}']").count() == 1
    no_sideways_scroll(page)


def test_learner_pages_in_dark_mode_pass_axe(live_server, new_page):
    page = new_page("en", width=390, dark=True)
    found = {}
    page.goto(f"{live_server}/")
    found["/"] = serious_violations(page)
    page.click("form.quick-start [type=submit]")
    page.wait_for_url(re.compile(r"/exam/attempts/\d+/1$"))
    found["exam"] = serious_violations(page)
    screenshot(page, "dark-exam-mode-390")
    page.click("button[value=finish]")
    page.click("form.exam-actions [type=submit]")
    page.wait_for_url(re.compile(r"/result$"))
    found["result"] = serious_violations(page)
    register_person(page, live_server, "en", "dark")
    found["learner home"] = serious_violations(page)
    screenshot(page, "dark-learner-home-390")
    page.goto(f"{live_server}/exam/")
    page.click("section[aria-labelledby=practice-title] form.stack [type=submit]")
    page.wait_for_url(re.compile(r"/exam/attempts/\d+/1$"))
    page.locator("input[name=option]").first.check()
    page.click("button[value=next]")
    found["practice feedback"] = serious_violations(page)
    screenshot(page, "dark-practice-390")
    page.goto(f"{live_server}/booking/centres/ALM?view=table")
    page.locator("table form.inline-form button").first.click()
    page.wait_for_url(re.compile(r"/booking/\d+$"))
    page.click("form button.button--danger")
    assert page.locator(".confirm-step").count() == 1
    found["confirmation"] = serious_violations(page)
    screenshot(page, "dark-confirmation-390")
    page.goto(f"{live_server}/notifications")
    found["notifications"] = serious_violations(page)
    assert {name: issues for name, issues in found.items() if issues} == {}
