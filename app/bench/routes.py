"""`/bench/ping`: the cheapest JSON answer the stack can give (no database, no templates, no session).

Every timing of `make bench` is reported as a ratio against this view served by the same gunicorn in
the same run, so the figures say what the product costs beyond the framework's own floor."""

from __future__ import annotations

from flask import Blueprint, jsonify

bp = Blueprint("bench", __name__, url_prefix="/bench")


@bp.get("/ping")
def ping():
    return jsonify(status="ok")
