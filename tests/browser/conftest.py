"""A live Kezek (real bank, demo data) and Debian's Chromium driven by Playwright; what the journeys
do in the browser is in `tests.browser.support`."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from app import create_app
from app.core.clock import utcnow
from app.demo import services as demo
from app.exam.importing import import_bank
from app.extensions import db
from config import TestingConfig
from tests.browser import support
from tests.support.bank import real_bank_report

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    database = tmp_path_factory.mktemp("browser") / "kezek.sqlite"
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.create_all()
        import_bank(db.session, real_bank_report().bank, utcnow())
        demo.seed(db.session)
        db.session.commit()
    support.LIVE["app"] = app
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: `make test` installs it (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, request):
    """A fresh browser profile per call: `new_page(language, javascript=True, width=1024, dark=False)`."""
    contexts = []

    def make(language: str = "en", *, javascript: bool = True, width: int = 1024, dark: bool = False):
        context = browser.new_context(
            viewport={"width": width, "height": 900 if width > 500 else 844},
            color_scheme="dark" if dark else "light",
            java_script_enabled=javascript,
            locale={"kk": "kk-KZ", "ru": "ru-RU", "en": "en-GB"}[language],
            extra_http_headers={"Accept-Language": language},
            # The service worker has its own journeys (test_offline_practice); elsewhere it would only
            # add its install downloads to every fresh profile and a second party to each navigation.
            service_workers="block",
        )
        # Generous: `make test` runs two browser modules at once on two CPUs with the rest of the suite.
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
