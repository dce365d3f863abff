"""The learner's journey in a real browser: register, start, answer, reload, resume, flag,
finish, review — in Kazakh, Russian and English, with and without JavaScript, and by keyboard."""

from __future__ import annotations

import re

import pytest

from tests.browser.support import register_person, screenshot, start_exam

# A real browser against a live server: `make test` runs it, `make test-fast` leaves it out.
pytestmark = pytest.mark.slow


def choose(page, index: int) -> str:
    option = page.locator("input[name=option]").nth(index)
    option.check()
    return option.get_attribute("value")


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_learner_journey(live_server, new_page, language):
    page = new_page(language)
    register_person(page, live_server, language, "learner")
    assert page.locator("html").get_attribute("lang") == language
    attempt = start_exam(page, live_server, language)
    assert page.locator("fieldset.question").get_attribute("lang") == language
    assert page.locator("#timer").is_visible()

    first = choose(page, 0)
    page.click("button[value=next]")
    page.wait_for_url(f"{attempt}/2")
    page.check("#flag")
    choose(page, 1)
    page.click("button[value=next]")
    page.wait_for_url(f"{attempt}/3")

    page.reload()  # a reload keeps the place and the answers
    assert page.url == f"{attempt}/3"
    page.click(".exam-grid button[value='1']")
    page.wait_for_url(f"{attempt}/1")
    assert page.locator(f"input[name=option][value='{first}']").is_checked()
    assert "grid-cell--flagged" in page.locator(".exam-grid button[value='2']").get_attribute("class")

    page.goto(f"{live_server}/exam/")  # resume from the start page
    page.click("section[aria-labelledby=open-title] a")
    page.wait_for_url(re.compile(r"/exam/attempts/\d+/\d+$"))

    page.click("button[value=finish]")
    page.wait_for_url(f"{attempt}/finish")
    assert page.locator(".inline-list").first.locator("li").count() == 38
    screenshot(page, f"learner-finish-{language}")
    page.click("form.exam-actions [type=submit]")
    page.wait_for_url(f"{attempt}/result")
    assert page.locator(".result-verdict").is_visible()
    assert page.locator(".question-list > li").count() == 40
    assert page.locator(".question-list .option--correct").count() == 40
    screenshot(page, f"learner-result-{language}")


def test_full_exam_without_javascript(live_server, new_page):
    page = new_page("ru", javascript=False)
    attempt = start_exam(page, live_server, "ru")  # anonymous visitor
    assert page.locator("#timer-value").inner_text().endswith("минут")  # minutes left, rendered by the server
    for position in range(1, 41):
        choose(page, position % 3 if page.locator("input[name=option]").count() > 2 else 0)
        page.click("button[value=next]")
    page.wait_for_url(f"{attempt}/finish")
    assert "Вы ответили на все вопросы." in page.content()
    page.click("form.exam-actions [type=submit]")
    page.wait_for_url(f"{attempt}/result")
    right = int(page.locator(".facts dd").first.inner_text().split("/")[0])
    assert 0 <= right <= 40
    screenshot(page, "learner-result-no-js")


def focus_next(page, selector: str, limit: int = 200) -> None:
    """Press Tab until the focused element matches `selector` (a whole round of the page at most:
    the question bar's 40 links come before the options, and focus may start past them)."""
    page.wait_for_load_state("load")
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with the keyboard")


def test_exam_by_keyboard_alone(live_server, new_page):
    page = new_page("en")
    attempt = start_exam(page, live_server, "en")
    for position in (1, 2, 3):
        focus_next(page, "input[name=option]")
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none"  # focus is visible
        page.keyboard.press("Space")
        # Exam mode saves the choice in the background; moving on waits for it, as the test is about
        # the keyboard, not about a save racing the page's own submit (see the closing note).
        page.wait_for_function(
            "() => { const s = document.getElementById('save-status'); return !s || s.textContent.trim() !== ''; }"
        )
        focus_next(page, "button[value=next]")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{attempt}/{position + 1}")
    focus_next(page, "button[value=finish]")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{attempt}/finish")
    focus_next(page, "form.exam-actions button")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{attempt}/result")
    assert page.locator(".question-list .option--correct").count() == 40
