"""Bearer tokens: reading one from a request, and the decorators API endpoints take them with."""

from __future__ import annotations

from functools import wraps

from flask import g, request
from flask_smorest import Blueprint, abort

from app.auth import services as auth_services
from app.extensions import db

BEARER_SECURITY = [{"bearerAuth": []}]


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def request_user():
    """The active user behind this request's bearer token, or None (looked up once per request)."""
    if "bearer_user" not in g:
        token = bearer_token()
        g.bearer_user = auth_services.user_for_token(db.session, token) if token else None
    return g.bearer_user


def token_required(view):
    """Sets `g.api_user` from a live bearer token, or answers 401.

    Put it above `@blp.arguments`: who asks is checked before what they send, so a stranger gets
    401 (and another person's object 404), never a validation answer about the body."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        user = request_user()
        if user is None:
            abort(401, message="A valid bearer token is required.")
        g.api_user = user
        return view(*args, **kwargs)

    return wrapped


def bearer_required(view):
    """`token_required`, and the OpenAPI document says the operation takes a bearer token: the one
    never goes without the other. Its place among the decorators is `token_required`'s."""
    return Blueprint.doc(security=BEARER_SECURITY)(token_required(view))
