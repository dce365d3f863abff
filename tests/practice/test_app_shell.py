"""The installable app's server side: the manifest in each language, the service worker served
from the root with its settings, the offline pages, and the practice page's hooks."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup


@pytest.mark.parametrize(
    ("language", "name"), [("kk", "Kezek: жүргізуші"), ("ru", "Kezek: подготовка"), ("en", "Kezek: driving")]
)
def test_manifest_in_each_language(client, language, name):
    response = client.get(f"/manifest.webmanifest?lang={language}")
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.data)
    assert manifest["name"].startswith(name)
    assert manifest["lang"] == language
    assert manifest["start_url"] == "/practice/?source=app"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    types = {(icon["type"], icon["sizes"]) for icon in manifest["icons"]}
    assert {("image/png", "192x192"), ("image/png", "512x512"), ("image/svg+xml", "any")} <= types
    for icon in manifest["icons"]:
        picture = client.get(icon["src"])
        assert picture.status_code == 200
        picture.close()


def test_every_page_links_the_manifest_and_the_worker_script(client):
    soup = BeautifulSoup(client.get("/", headers={"Accept-Language": "ru"}).data, "html.parser")
    assert soup.select_one("link[rel=manifest]")["href"] == "/manifest.webmanifest?lang=ru"
    assert soup.select_one("meta[name=theme-color]")["content"] == "#0b5cab"
    assert soup.select_one("script[src='/static/js/pwa.js']") is not None
    assert soup.select_one("script:not([src])") is None  # the CSP allows no inline script


def test_service_worker_from_the_root(client):
    response = client.get("/sw.js")
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    head, _, source = response.get_data(as_text=True).partition("\n")
    settings = json.loads(head.removeprefix("self.KEZEK = ").removesuffix(";"))
    assert "/static/js/practice.js" in settings["shell"]
    assert "/practice/" in settings["pages"]
    assert "/offline?lang=kk&for=exam" in settings["pages"]
    assert len(settings["version"]) == 16
    assert 'addEventListener("fetch"' in source
    for url in settings["shell"] + settings["pages"]:
        page = client.get(url)
        assert page.status_code == 200, url
        page.close()


def test_offline_pages_speak_the_persons_language(client):
    exam = client.get("/offline?lang=ru&for=exam").get_data(as_text=True)
    assert '<html lang="ru">' in exam
    assert "Пробному экзамену нужна сеть" in exam
    assert 'href="/practice/"' in exam
    other = client.get("/offline?lang=kk").get_data(as_text=True)
    assert "Бұл бетке желі қажет" in other
    assert "Сынақ емтиханына желі қажет" not in other


def test_practice_page_hooks(client):
    soup = BeautifulSoup(client.get("/practice/", headers={"Accept-Language": "en"}).data, "html.parser")
    app = soup.select_one("#practice-app")
    strings = json.loads(app["data-strings"])
    assert strings["right"] == "Right!"
    assert app["data-pack-url"] == "/api/v1/practice/pack"
    assert app["data-answers-url"] == "/api/v1/practice/answers"
    assert {box["value"] for box in soup.select("#offline-form input[name=lang]")} == {"kk", "ru", "en"}
    assert {button["value"] for button in soup.select("#practice-form button[name=mode]")} == {
        "topic",
        "marathon",
        "mistakes",
        "due",
    }
