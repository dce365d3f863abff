"""The profile's channels per kind of message on a 390 px phone without JavaScript: nothing scrolls
sideways, each box's label is a 44 px tap target, no serious axe violation, and the choice saves."""

from __future__ import annotations

import pytest

from tests.browser.quality import scrolls_sideways, serious_axe_violations
from tests.browser.support import sign_in

pytestmark = pytest.mark.slow  # a real browser


def test_channels_per_kind_fit_a_phone_and_save_without_javascript(live_server, new_page):
    page = new_page("kk", width=390)  # axe needs JavaScript; the form itself does not (below)
    sign_in(page, live_server, "learner@demo.kezek.kz")  # a Kazakh-speaking learner
    page.goto(f"{live_server}/account/profile")
    form = page.locator("form.channel-choice")
    assert form.locator("fieldset.channel-kind").count() >= 10
    assert "Емтиханға екі сағат қалғанда еске салу" in form.inner_text()
    assert not scrolls_sideways(page)
    assert serious_axe_violations(page) == []
    labels = form.locator(".channel-options label")
    for index in range(labels.count()):
        box = labels.nth(index).bounding_box()
        assert box["height"] >= 44, labels.nth(index).inner_text()
        assert box["x"] + box["width"] <= 390
    page = new_page("kk", javascript=False, width=390)
    sign_in(page, live_server, "learner@demo.kezek.kz")
    page.goto(f"{live_server}/account/profile")
    form = page.locator("form.channel-choice")
    sms = page.locator("#ch-reminder-24h-sms")
    assert not sms.is_checked()
    page.locator('label[for="ch-reminder-24h-sms"]').click()  # the label, as a thumb would
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/account/profile*")
    assert "Арналарды таңдауыңыз сақталды." in page.content()
    assert page.locator("#ch-reminder-24h-sms").is_checked()
    assert not page.locator("#ch-confirmation-sms").is_checked()
