"""Security headers (Flask-Talisman): a strict CSP without 'unsafe-inline', no framing, a
referrer policy, and HSTS in production. Session cookie flags come from our own config."""

from __future__ import annotations

from flask import Flask, abort, request

from app.core.bodies import refuse_deep_json
from app.extensions import talisman

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# Question drawings: a picture only, even when opened on their own.
IMAGE_POLICY = {"default-src": "'none'", "style-src": "'unsafe-inline'", "img-src": "'self' data:", "sandbox": ""}


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def refuse_nul_bytes() -> None:
    """PostgreSQL cannot store NUL in text, and no person types one: refuse it at the door (400)
    instead of failing deep inside a query (500). Path, query, form and JSON alike."""
    values = [request.path, *request.values.listvalues()]
    if request.is_json:
        values.append(request.get_json(silent=True))
    if any(_has_nul(value) for value in values):
        abort(400)


def init_security(app: Flask) -> None:
    app.before_request(refuse_deep_json)  # first: the NUL check parses the JSON body
    app.before_request(refuse_nul_bytes)
    production = app.config["ENV_NAME"] == "production"
    talisman.init_app(
        app,
        # TLS ends at the load balancer; it redirects to HTTPS. HSTS tells browsers to stay there.
        force_https=False,
        strict_transport_security=production,
        strict_transport_security_max_age=365 * 24 * 3600,
        content_security_policy=CONTENT_SECURITY_POLICY,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        x_content_type_options=True,
    )
