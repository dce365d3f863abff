"""Language choice and localised content.

The language is chosen as: the account's preference > the language cookie > the browser's
Accept-Language > the default (Kazakh).
"""

from __future__ import annotations

from typing import Any

from babel.support import Translations
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import get_locale, get_translations
from flask_login import current_user

# The languages Kezek speaks: the question bank, the pages and the messages all come in these.
LANGUAGES = ("kk", "ru", "en")
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}


def supported_languages() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


def select_locale() -> str:
    languages = supported_languages()
    if not has_request_context():
        # Commands speak English to operators; messages to people force their own language.
        return "en"
    if current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    cookie = request.cookies.get(current_app.config["LANGUAGE_COOKIE"])
    if cookie in languages:
        return cookie
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else current_app.config["BABEL_DEFAULT_LOCALE"]


def page_translations() -> Translations:
    """The current locale's catalogue, found once per request (and per forced locale). Flask-Babel
    finds it again on every call, a dozen context lookups each, and a page makes dozens of calls."""
    locale = get_locale()
    found = g.get("_kezek_translations")
    if found is None or found[0] is not locale:
        found = g._kezek_translations = (locale, get_translations())
    return found[1]


def install_template_gettext(app: Flask) -> None:
    """Templates translate through `page_translations` (replaces Flask-Babel's callables)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: page_translations().ugettext(string),
        ngettext=lambda singular, plural, n: page_translations().ungettext(singular, plural, n),
        pgettext=lambda context, string: page_translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: page_translations().unpgettext(context, singular, plural, n),
        newstyle=True,
    )


def localized(obj: Any, field: str, language: str | None = None) -> str:
    """`obj.<field>_<lang>` in the current language, falling back to Russian, then any."""
    language = language or current_language()
    for lang in (language, "ru", "kk", "en"):
        value = getattr(obj, f"{field}_{lang}", None)
        if value:
            return value
    return ""


def select_timezone() -> str:
    """Times are shown in the zone of the centre they belong to; pages pass it explicitly.
    Elsewhere: the staff member's centre, or Almaty."""
    if has_request_context() and current_user.is_authenticated and current_user.centre is not None:
        return current_user.centre.timezone
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]
