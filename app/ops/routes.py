"""`/readyz` for the load balancer (liveness, `/healthz`, is in the main blueprint)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from app.extensions import db
from app.ops.readiness import is_ready, readiness

bp = Blueprint("ops", __name__)


@bp.get("/readyz")
def readyz():
    checks = readiness(db.engine, current_app.config)
    if is_ready(checks):
        return jsonify(status="ready", checks=checks)
    current_app.logger.warning("not ready: %s", ", ".join(f"{name} {state}" for name, state in checks.items()))
    return jsonify(status="unavailable", checks=checks), 503
