"""The installable app: the practice page (works offline), the offline pages, the web app manifest
and the service worker, served from the site root so that its scope is the whole site."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.core.i18n import LANGUAGE_NAMES, LANGUAGES, current_language
from app.extensions import db
from app.practice import packs

bp = Blueprint("practice", __name__)

THEME_COLOR = "#0b5cab"
STATIC = Path(__file__).resolve().parents[1] / "static"
# What the service worker keeps at install: the app shell. Packs and their pictures are added when
# the learner chooses them on the practice page.
SHELL_FILES = (
    "css/kezek.css",
    "js/pwa.js",
    "js/practice_store.js",
    "js/practice.js",
    "favicon.svg",
    "icons/icon.svg",
    "icons/icon-192.png",
    "icons/icon-512.png",
)


@bp.get("/practice/")
def index():
    languages = [{"code": code, "name": LANGUAGE_NAMES[code]} for code in LANGUAGES]
    strings = {
        "right": _("Right!"),
        "wrong": _("Not quite. The right answer is marked."),
        "next": _("Next question"),
        "done": _("That was the last question here. Choose another practice."),
        "empty": _("Nothing to practise here."),
        "nothingStored": _("Nothing is stored for offline use yet."),
        "stored": _("Available offline: %(what)s, %(size)s."),
        "saving": _("Saving for offline use…"),
        "saveFailed": _("Could not save: check your connection and try again."),
        "waiting": _("Answers waiting to be sent: %(n)s."),
        "signIn": _("Sign in to add the answers practised on this device to your progress."),
        "synced": _("All your answers are counted."),
        "offline": _("You are offline: practice goes on, answers are sent when you are back online."),
        "reference": _("Rule:"),
        "officialText": _("official text on adilet.zan.kz"),
        "question": _("Question %(n)s of %(total)s"),
    }
    return render_template(
        "practice/index.html",
        categories=packs.categories(db.session) or ["B"],
        languages=languages,
        strings=strings,
        signed_in=current_user.is_authenticated,
    )


@bp.get("/offline")
def offline():
    """What the service worker shows for a page that needs the network; `for=exam` for the exam."""
    language = request.args.get("lang", "")
    if language not in LANGUAGES:
        language = current_language()
    with force_locale(language):
        return render_template("practice/offline.html", exam=request.args.get("for") == "exam")


@bp.get("/manifest.webmanifest")
def manifest():
    language = request.args.get("lang", "")
    if language not in LANGUAGES:
        language = current_language()
    with force_locale(language):
        body = {
            "name": _("Kezek: driving theory practice"),
            "short_name": "Kezek",
            "description": _("Practise the driving theory exam of Kazakhstan, online and offline."),
            "lang": language,
            "dir": "ltr",
            "start_url": url_for("practice.index", source="app"),
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": THEME_COLOR,
            "icons": [
                {"src": url_for("static", filename="icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": url_for("static", filename="icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
                {
                    "src": url_for("static", filename="icons/icon-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                },
                {"src": url_for("static", filename="icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            ],
        }
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")


@lru_cache(maxsize=1)
def _worker(root: str) -> tuple[str, str]:
    """The worker's source and a version that changes with it and with every file of the shell,
    so that a deploy that changes any of them installs a new worker with fresh caches."""
    source = (Path(root) / "js" / "sw.js").read_text(encoding="utf-8")
    digest = hashlib.sha256(source.encode())
    for name in SHELL_FILES:
        digest.update((Path(root) / name).read_bytes())
    return source, digest.hexdigest()[:16]


@bp.get("/sw.js")
def service_worker():
    if current_app.static_folder is None:
        abort(404)
    source, version = _worker(current_app.static_folder)
    shell = [url_for("static", filename=name) for name in SHELL_FILES]
    pages = [url_for("practice.index")]
    pages += [url_for("practice.offline", lang=code) for code in LANGUAGES]
    pages += [url_for("practice.offline", lang=code, **{"for": "exam"}) for code in LANGUAGES]
    settings = {"version": version, "shell": shell, "pages": pages, "practice": url_for("practice.index")}
    body = f"self.KEZEK = {json.dumps(settings)};\n{source}"
    response = Response(body, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response
