"""Domain errors raised by services and how they reach people: problem+json for the API,
an error page for the site.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, current_app, g, json, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from app.core.database import mark_for_retry

PROBLEM_TITLES = {
    400: _l("Bad request"),
    401: _l("Authentication required"),
    403: _l("Forbidden"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    413: _l("Request too large"),
    422: _l("The request could not be processed"),
    429: _l("Too many requests"),
    500: _l("Internal server error"),
    503: _l("Service unavailable"),
}

PROBLEM_CODES = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "payload-too-large",
    422: "validation-error",
    429: "rate-limited",
    500: "internal-error",
    503: "service-unavailable",
}

ERROR_PAGES = {400, 403, 404, 413, 429, 500, 503}
# Headers of an HTTP error that the answer keeps (prefixes, lower case): a 405 names the methods the
# resource allows (RFC 9110 requires it), a 429 says when to come back and how the limit stands.
KEPT_ERROR_HEADERS = {405: ("allow",), 429: ("retry-after", "x-ratelimit")}
# While the database restarts or fails over (seconds): clients may come back after this.
DATABASE_RETRY_AFTER_SECONDS = 5


class DomainError(Exception):
    """A rule of the domain refused an action. `code` is stable and machine-readable."""

    status = 409
    code = "conflict"

    def __init__(self, message: Any, *, code: str | None = None, status: int | None = None, **extra: Any):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status
        self.extra = extra


class FieldErrors(DomainError):
    """Input that breaks a rule tied to particular fields (e.g. a taken e-mail)."""

    status = 422
    code = "validation-error"

    def __init__(self, errors: Mapping[str, list[Any]]):
        super().__init__(_l("Some fields are not valid."))
        self.errors = {field: list(messages) for field, messages in errors.items()}


def wants_problem_json() -> bool:
    return request.path.startswith("/api/")


def problem_response(status: int, *, code: str | None = None, detail: Any = None, **extra: Any) -> Response:
    body: dict[str, Any] = {
        "type": f"https://kezek.kz/problems/{code or PROBLEM_CODES.get(status, 'error')}",
        "title": str(PROBLEM_TITLES.get(status, "Error")),
        "status": status,
        "detail": str(detail) if detail is not None else str(PROBLEM_TITLES.get(status, "Error")),
        "code": code or PROBLEM_CODES.get(status, "error"),
    }
    for key, value in extra.items():
        body[key] = _plain(value)
    return Response(json.dumps(body), status=status, mimetype="application/problem+json")


def _plain(value: Any) -> Any:
    """Lazy strings and nested containers into JSON-ready values."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def flatten_webargs_messages(messages: Mapping[str, Any]) -> dict[str, Any]:
    """webargs keys messages by location ({"json": {"email": [...]}}); clients want the fields."""
    flat: dict[str, Any] = {}
    for location_messages in messages.values():
        if isinstance(location_messages, Mapping):
            flat.update(location_messages)
    return flat


def handle_http_exception(error: HTTPException):
    status = error.code or 500
    if status >= 500:
        current_app.logger.exception("unhandled error", exc_info=getattr(error, "original_exception", None) or error)
    if wants_problem_json():
        data = getattr(error, "data", None) or {}
        extra: dict[str, Any] = {}
        detail = None
        if status == 422 and "messages" in data:
            extra["errors"] = flatten_webargs_messages(data["messages"])
            detail = _l("Some fields are not valid.")
        elif status < 500 and error.description and status != 404:
            detail = error.description
        response = problem_response(status, detail=detail, **extra)
        if status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return _with_kept_headers(response, error)
    page = status if status in ERROR_PAGES else (500 if status >= 500 else 400)
    response = current_app.make_response((render_template(f"errors/{page}.html", error=error), status))
    return _with_kept_headers(response, error)


def _with_kept_headers(response: Response, error: HTTPException) -> Response:
    kept = KEPT_ERROR_HEADERS.get(error.code or 500, ())
    for header, value in error.get_headers() if kept else []:
        if header.lower().startswith(kept):
            response.headers[header] = value
    return response


def handle_domain_error(error: DomainError):
    if wants_problem_json():
        extra = dict(error.extra)
        if isinstance(error, FieldErrors):
            extra["errors"] = error.errors
        return problem_response(error.status, code=error.code, detail=error.message, **extra)
    return render_template("errors/400.html", error=error), error.status


def handle_database_unavailable(error: OperationalError):
    """The database cannot be reached or dropped the connection (a restart, a failover): a short
    503 asking to come back, never a traceback. Each request is one transaction, so the change it
    carried was either committed before or rolled back by the server. A connection found dead
    invalidates the pool (no liveness check before each use: it would cost every request a round
    trip), and a GET met by it is served once more on a new connection (core/database.py)."""
    first_line = next(iter(str(error.orig).strip().splitlines()), "")
    retrying = mark_for_retry(error)
    current_app.logger.warning(
        "database unavailable%s: %s: %s",
        "; trying the request once more" if retrying else "",
        error.orig.__class__.__name__,
        first_line,
    )
    if wants_problem_json():
        response = problem_response(503, detail=_l("The service is briefly unavailable. Please try again shortly."))
    else:
        # The page is drawn without the database: the account behind the session (and its menu)
        # is not looked up, which would fail again and turn this page into a bare server error.
        g._login_user = current_app.login_manager.anonymous_user()
        response = current_app.make_response((render_template("errors/503.html"), 503))
    response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response


def register_error_handlers(app) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(OperationalError, handle_database_unavailable)
