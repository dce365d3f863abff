"""Practice anywhere in a real browser: the app is installable (manifest parsed, service worker
active, start URL served by the worker offline); a pack is saved, the network goes, the page
reloads from the worker, ten questions are answered with feedback; back online exactly ten
answers are stored, even when the batch is sent twice; offline, the exam page says it needs the
network."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import register_person, screenshot

pytestmark = pytest.mark.slow

SEND_AGAIN = """async (items) => {
  const state = await (await fetch('/api/v1/practice/session', {cache: 'no-store'})).json();
  const response = await fetch('/api/v1/practice/answers', {method: 'POST',
    headers: {'Content-Type': 'application/json', 'X-CSRFToken': state.csrf_token},
    body: JSON.stringify({answers: items.map(({owner, ...answer}) => answer)})});
  return response.json();
}"""
PICTURE_KEPT = """async () => {
  const record = (await kezekStore.all('packs'))[0];
  const url = record.pack.questions.find(q => q.image_url).image_url;
  return !!(await (await caches.open('kezek-images')).match(url));
}"""


def open_and_sync(page, url: str) -> None:
    """Open the practice page and wait until its queued answers reached the server and left the
    device's queue (a predicate returning a promise would count as true at once)."""
    with page.expect_response(
        lambda r: r.url.endswith("/api/v1/practice/answers") and r.request.method == "POST"
    ) as sent:
        page.goto(url)
    assert sent.value.ok
    page.wait_for_function(
        "() => { kezekStore.count('queue').then(n => { window.queueLeft = n; }); return window.queueLeft === 0; }",
        polling=100,
    )


def test_practice_offline_and_sync_once(live_server, browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="en-GB", extra_http_headers={"Accept-Language": "en"}
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        register_person(page, live_server, "en", "learner")
        page.goto(f"{live_server}/practice/")
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        assert page.evaluate("navigator.serviceWorker.ready.then(r => r.active.state)") == "activated"
        assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == f"{live_server}/sw.js"

        cdp = context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["errors"] == []
        assert manifest["url"].startswith(f"{live_server}/manifest.webmanifest")
        assert '"start_url": "/practice/?source=app"' in manifest["data"]
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        # Playwright's contexts are incognito ones, which never offer to install; nothing else stands in the way.
        assert [error["errorId"] for error in errors if error["errorId"] != "in-incognito"] == []

        assert page.is_checked("#keep-en")
        page.click("#save-offline")
        page.wait_for_function(
            "() => document.getElementById('offline-status').textContent.includes('Available offline')"
        )
        assert "English · B" in page.text_content("#offline-status")
        assert page.evaluate(PICTURE_KEPT)

        context.set_offline(True)
        page.reload()
        expect(page.locator("#offline-status")).to_contain_text("English · B")  # from IndexedDB
        page.click("#mode-marathon")
        for number in range(1, 11):
            expect(page.locator("#question-counter")).to_have_text(re.compile(rf"^Question {number} of \d+$"))
            page.locator(".practice-option").nth(number % 2).click()
            verdict = page.text_content("#question-feedback .feedback-verdict")
            assert verdict in ("Right!", "Not quite. The right answer is marked.")
            assert page.locator(".practice-option.option--correct").count() == 1
            page.click("#question-next")
        screenshot(page, "practice-offline-en")
        queued = page.evaluate("kezekStore.all('queue')")
        assert len(queued) == 10
        assert len({item["client_id"] for item in queued}) == 10

        page.goto(f"{live_server}/practice/?source=app")  # the start URL, from the worker
        assert page.locator("#practice-app").is_visible()
        page.goto(f"{live_server}/exam/")
        assert "The trial exam needs the network" in page.text_content("main")
        assert page.get_attribute("main a.button", "href") == "/practice/"

        context.set_offline(False)
        open_and_sync(page, f"{live_server}/practice/")
        again = page.evaluate(SEND_AGAIN, queued)
        assert again["stored"] == []
        assert sorted(again["already_stored"]) == sorted(item["client_id"] for item in queued)
        progress = page.evaluate("fetch('/api/v1/practice/progress?category=B').then(r => r.json())")
        assert progress["device_answers"] == 10
        assert sum(topic["answers"] for topic in progress["topics"]) == 10
    finally:
        context.close()


def test_answers_practised_signed_out_join_the_account_after_sign_in(live_server, browser):
    context = browser.new_context(locale="ru-RU", extra_http_headers={"Accept-Language": "ru"})
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/practice/")
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        page.click("#save-offline")
        expect(page.locator("#offline-status")).to_contain_text("Русский · B")
        context.set_offline(True)
        page.reload()
        page.click("#mode-topic")
        for _ in range(3):
            page.locator(".practice-option").first.click()
            expect(page.locator("#question-feedback .feedback-verdict")).to_be_visible()
            page.click("#question-next")
        context.set_offline(False)
        page.reload()  # signed out: the answers wait on the device
        expect(page.locator("#sync-status")).to_contain_text("3")
        assert page.evaluate("kezekStore.count('queue')") == 3

        register_person(page, live_server, "ru", "learner")  # signs in
        open_and_sync(page, f"{live_server}/practice/")
        progress = page.evaluate("fetch('/api/v1/practice/progress?category=B').then(r => r.json())")
        assert progress["device_answers"] == 3
    finally:
        context.close()


def test_a_shared_device_sends_each_account_only_its_own_answers(live_server, browser):
    """Answers queued offline while one account was signed in wait for that account: another who
    signs in on the same device gets none of them; the first gets all of them back."""
    context = browser.new_context(locale="en-GB", extra_http_headers={"Accept-Language": "en"})
    context.set_default_timeout(20_000)
    page = context.new_page()
    progress = "fetch('/api/v1/practice/progress?category=B').then(r => r.json())"
    try:
        first = register_person(page, live_server, "en", "learner")
        page.goto(f"{live_server}/practice/")
        page.click("#save-offline")
        expect(page.locator("#offline-status")).to_contain_text("English · B")
        context.set_offline(True)
        page.click("#mode-topic")
        for _ in range(2):
            page.locator(".practice-option").first.click()
            expect(page.locator("#question-feedback .feedback-verdict")).to_be_visible()
            page.click("#question-next")
        queued = page.evaluate("kezekStore.all('queue')")
        assert len(queued) == 2
        assert len({item["owner"] for item in queued}) == 1
        assert queued[0]["owner"]
        context.set_offline(False)

        context.clear_cookies()  # the first account is gone from this browser; the answers stay
        register_person(page, live_server, "en", "learner")  # a second person signs in here
        with page.expect_response(lambda r: r.url.endswith("/api/v1/practice/session")):
            page.goto(f"{live_server}/practice/")
        expect(page.locator("#sync-status")).to_have_text("All your answers are counted.")
        assert page.evaluate("kezekStore.count('queue')") == 2
        assert page.evaluate(progress)["device_answers"] == 0

        context.clear_cookies()
        page.goto(f"{live_server}/account/login")
        page.fill("#email", first)
        page.fill("#password", "steppe-road-2026")
        page.click("form.stack [type=submit]")
        page.wait_for_url(lambda url: "/account/login" not in url)
        open_and_sync(page, f"{live_server}/practice/")
        assert page.evaluate(progress)["device_answers"] == 2
    finally:
        context.close()
