"""`make bench`'s reference views, registered only on the benchmark's own app (bench.app).

`/bench/ping` is the floor: the cheapest JSON answer the stack can give (no database, no templates,
no session). Every timing is reported as a ratio against it, served by the same gunicorn in the same
run, so the figures say what the product costs beyond the framework's own floor.

`/bench/whoami` is the least any signed-in request costs: it finds out who asks (the session's
user, as every page does, or a bearer token's, as every API operation does) and answers that. The
bench reports its ratios beside the scenarios' as the ceiling a signed-in page or API call can reach."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify
from flask_login import current_user

from app.auth.services import user_for_token
from app.auth.tokens import bearer_token
from app.extensions import db

bp = Blueprint("bench", __name__, url_prefix="/bench")


@bp.get("/ping")
def ping():
    return jsonify(status="ok")


@bp.get("/whoami")
def whoami():
    token = bearer_token()
    user = user_for_token(db.session, token) if token else current_user
    if user is None or not user.is_authenticated:
        abort(401)
    return jsonify(id=user.id)
