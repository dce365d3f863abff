"""POST /telegram/webhook: the updates Telegram sends (commands and button presses).

Telegram proves each update is its own with the secret registered by `flask telegram
set-webhook` in the `X-Telegram-Bot-Api-Secret-Token` header; anything else gets 403 and changes
nothing. No cookies ride on it, so it is exempt from CSRF. It answers fast: one transaction, and
the reply goes back in the answer's body where Telegram allows it (a "method" answer); only a
reply that needs a message of its own besides the button's answer calls the Bot API."""

from __future__ import annotations

import hmac
import logging

from flask import Blueprint, abort, current_app, jsonify, request
from flask_babel import force_locale
from flask_babel import gettext as _

from app.core.clock import utcnow
from app.core.errors import DomainError
from app.core.i18n import LANGUAGES
from app.extensions import csrf, db
from app.notify import actions, telegram_links
from app.notify.senders import DeliveryError
from app.notify.telegram import bot_api_from_config, keyboard

log = logging.getLogger("kezek.telegram")
bp = Blueprint("telegram", __name__)
REPLY_TIMEOUT_SECONDS = 3.0


def _language(settings=None, sender: dict | None = None) -> str:
    if settings is not None and settings.user.language:
        return settings.user.language
    code = ((sender or {}).get("language_code") or "")[:2]
    return code if code in LANGUAGES else current_app.config["BABEL_DEFAULT_LOCALE"]


def _say(chat_id: int, text: str, rows=None):
    answer = {"method": "sendMessage", "chat_id": chat_id, "text": text}
    if rows:
        answer["reply_markup"] = keyboard(rows)
    return jsonify(answer)


@bp.post("/telegram/webhook")
@csrf.exempt
def webhook():
    secret = current_app.config.get("TELEGRAM_WEBHOOK_SECRET") or ""
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        abort(403)
    update = request.get_json(silent=True) or {}
    if "callback_query" in update:
        return _button(update["callback_query"])
    message = update.get("message") or {}
    text = (message.get("text") or "").strip()
    chat_id = (message.get("chat") or {}).get("id")
    if not isinstance(chat_id, int) or not text.startswith("/"):
        return jsonify({})
    command, _sep, argument = text.partition(" ")
    if command.split("@")[0] == "/start":
        return _start(chat_id, argument.strip(), message.get("from"))
    if command.split("@")[0] == "/stop":
        settings = telegram_links.for_chat(db.session, chat_id)
        language = _language(settings, message.get("from"))
        telegram_links.unlink_chat(db.session, chat_id)
        db.session.commit()
        with force_locale(language):
            return _say(chat_id, _("This chat is unlinked from Kezek. Link it again from your profile."))
    return jsonify({})


def _start(chat_id: int, token: str, sender: dict | None):
    settings = telegram_links.bind(db.session, token, chat_id, utcnow()) if token else None
    db.session.commit()
    with force_locale(_language(settings, sender)):
        if settings is None:
            return _say(chat_id, _("This link is not valid any more. Open your Kezek profile for a new one."))
        return _say(chat_id, _("Done: Kezek messages will come to this chat. Send /stop to unlink it."))


def _alert(query_id: str, text: str):
    return jsonify({"method": "answerCallbackQuery", "callback_query_id": query_id, "text": text, "show_alert": True})


def _button(query: dict):
    query_id = str(query.get("id", ""))
    chat_id = ((query.get("message") or {}).get("chat") or {}).get("id") or (query.get("from") or {}).get("id")
    settings = telegram_links.for_chat(db.session, chat_id) if isinstance(chat_id, int) else None
    with force_locale(_language(settings, query.get("from"))):
        verified = actions.verify(query.get("data", ""), settings.user_id) if settings is not None else None
        handler = actions.handler_for(verified[0]) if verified else None
        if handler is None:
            return _alert(query_id, _("This button is not for this chat, or it is out of date. Nothing changed."))
        try:
            reply = handler(db.session, settings.user_id, verified[1], utcnow())
        except DomainError as error:
            db.session.rollback()
            return _alert(query_id, str(error.message))
        db.session.commit()
        if reply.alert:
            return _alert(query_id, reply.text)
        rows = actions.button_rows(reply.buttons, settings.user_id)
        _send_now(chat_id, reply.text, rows)
    return jsonify({"method": "answerCallbackQuery", "callback_query_id": query_id})


def _send_now(chat_id: int, text: str, rows) -> None:
    """A reply of its own (the button's answer is the webhook's body). Not through the outbox: it
    answers a press now, and a lost one costs a press again, not a missed exam."""
    api = bot_api_from_config(current_app.config)
    if api is None:
        return
    api.timeout = min(api.timeout, REPLY_TIMEOUT_SECONDS)  # Telegram waits for the webhook's answer
    payload = {"chat_id": chat_id, "text": text}
    if rows:
        payload["reply_markup"] = keyboard(rows)
    try:
        api.call("sendMessage", payload)
    except DeliveryError as error:
        log.warning("telegram reply not sent: %s", error)
