"""Role checks for views: anonymous people are sent to sign in, other roles get 403."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_limiter.util import get_remote_address
from flask_login import current_user

from app.auth.models import Role
from app.auth.tokens import request_user
from app.extensions import login_manager


def role_required(*roles: Role):
    allowed = {role.value for role in roles}

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def per_person_key() -> str:
    """Rate-limit key for actions of signed-in people: their account, from the session or from a
    *valid* bearer token, so that people behind one address (a driving school) do not share a
    limit. Never a header as the client sent it: a made-up `Authorization` header or a second
    token of the same person must not start a fresh count. Anyone else: their address."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    if (user := request_user()) is not None:
        return f"user:{user.id}"
    return get_remote_address()
