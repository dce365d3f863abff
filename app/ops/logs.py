"""Structured logs: every record carries the id of the request (or job run) it belongs to, and no
record ever carries an IIN, a phone number or an e-mail address.

The application never logs them on purpose, but errors do: PostgreSQL's own message repeats the
offending row ("Key (iin)=(…) already exists", "Failing row contains (…)") and a traceback quotes
it. So the scrubbing happens when the record is made (a log-record factory), message and traceback
alike, not in one handler: it holds for every handler — the JSON one in production, gunicorn's,
the scheduler's and pytest's caplog alike. This module is the only place that knows the patterns.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import time
from datetime import UTC, datetime

from flask import Flask, g, request

from app.core.request_ids import bind_request_id, current_request_id, new_request_id, unbind_request_id

REQUEST_ID_HEADER = "X-Request-ID"
# An incoming id is kept only if it is short and plain (it is echoed and logged verbatim).
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,100}")

# Order matters: an IIN (12 digits) before the shorter phone pattern.
_PERSONAL_DATA = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    (re.compile(r"(?<!\d)\d{12}(?!\d)"), "[iin]"),
    # Kazakhstan mobile numbers as people type them: +7 701 123 45 67, 8(701)123-45-67, 87011234567.
    (re.compile(r"(?<![\w+])(?:\+7|8)[\s(-]*7\d{2}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}(?!\d)"), "[phone]"),
    # Any other number in international form, or in the domestic 8 + 10 digits form.
    (re.compile(r"\+\d[\d\s()-]{8,16}\d(?!\d)"), "[phone]"),
    (re.compile(r"(?<![\w+])8\d{10}(?!\d)"), "[phone]"),
)


# Secrets that travel in a path: the tokens of the password-reset and registration links (a log
# reader could use them).
_SECRETS_IN_PATHS = ((re.compile(r"(/account/(?:reset|register/confirm)/)[^\s/?#\"']+"), r"\1[token]"),)


def scrub(text: str) -> str:
    """`text` without e-mail addresses, IINs, phone numbers and the secrets paths carry."""
    for pattern, replacement in _SECRETS_IN_PATHS + _PERSONAL_DATA:
        text = pattern.sub(replacement, text)
    return text


def _scrubbing(factory):
    def make_record(*args, **kwargs) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        record.request_id = current_request_id()
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: let logging report it as it always does, at emit time
            return record
        record.msg, record.args = scrub(message), None
        if record.exc_info and record.exc_info[0] is not None:
            # Formatters use `exc_text` when it is set: format the traceback once, scrubbed.
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
        return record

    make_record.kezek_scrubs = True
    return make_record


def _install_record_factory() -> None:
    """Once per process, however many apps are created (tests create hundreds)."""
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "kezek_scrubs", False):
        logging.setLogRecordFactory(_scrubbing(factory))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request id, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
            "request_id": getattr(record, "request_id", None),
        }
        for key in ("method", "path", "status", "duration_ms", "job"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            # Records made elsewhere than by our factory (handed over by a library) are scrubbed here.
            entry["exception"] = record.exc_text or scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
# C0 and C1 control characters, DEL and the Unicode line separators. Logged values come from
# requests (a path is percent-decoded: `%0A` in it is a real line feed), and any of these in a text
# line could end it and start a forged one, or rewrite it on a terminal.
_CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Continuation lines of a traceback: indented, so no line of it can pass for a record of its own.
_CONTINUATION = "\n    "


def escape_controls(text: str) -> str:
    """`text` with every control character written as its Python escape (`\\n`, `\\x1b`, `\\u2028`)."""
    return _CONTROL_CHARACTERS.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


class TextFormatter(logging.Formatter):
    """The readable format: one line per record, whatever its fields hold; a traceback follows on
    indented lines. (JSON lines need none of this: json.dumps escapes control characters.)"""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatMessage(self, record: logging.LogRecord) -> str:
        escaped = copy.copy(record)
        for key, value in vars(record).items():
            if isinstance(value, str):
                setattr(escaped, key, escape_controls(value))
        return super().formatMessage(escaped)

    def format(self, record: logging.LogRecord) -> str:
        record.message = record.getMessage()
        record.asctime = self.formatTime(record, self.datefmt)
        line = self.formatMessage(record)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        for attached in (record.exc_text, record.stack_info and self.formatStack(record.stack_info)):
            if attached:
                line += _CONTINUATION + _CONTINUATION.join(map(escape_controls, attached.split("\n")))
        return line


def _install_handler(log_format: str) -> None:
    """One handler on the root logger (once per process), so Flask, gunicorn and our loggers agree."""
    root = logging.getLogger()
    if any(getattr(handler, "kezek", False) for handler in root.handlers):
        return
    handler = logging.StreamHandler()
    handler.kezek = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(logging.INFO)


access_log = logging.getLogger("kezek.access")


def init_logging(app: Flask) -> None:
    """The one installer: scrubbing and request ids on every record, the handler, the request hooks."""
    _install_record_factory()
    if not app.testing:  # tests keep pytest's own capture
        _install_handler(app.config["LOG_FORMAT"])

    @app.before_request
    def _bind_request_id() -> None:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if _SANE_REQUEST_ID.fullmatch(incoming) else new_request_id()
        g.request_id_token = bind_request_id(g.request_id)
        g.request_started = time.perf_counter()

    @app.after_request
    def _echo_request_id(response):
        if "request_id" in g:
            response.headers[REQUEST_ID_HEADER] = g.request_id
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    # Never the query string (it may hold personal data), nor a token in the path.
                    "path": scrub(request.path),
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - g.request_started) * 1000, 1),
                },
            )
        return response

    @app.teardown_request
    def _unbind_request_id(_error=None) -> None:
        # A worker thread serves the next request next: it must not inherit this id. Request
        # contexts pushed only to render (a job composing an e-mail) never set one: leave theirs.
        token = g.pop("request_id_token", None)
        if token is not None:
            unbind_request_id(token)
