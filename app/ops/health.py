"""Health for the load balancer and the process supervisor.

`/healthz` (liveness): the process answers and reaches the database. `/readyz` (readiness): may this
instance take traffic? The database answers, Redis (when the rate limits live there) answers, and
the database schema is at the migrations' head — an instance of a newer release must not serve
before `flask db upgrade` has run (see docs/deployment.md)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import redis
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.extensions import db

OK, FAILED, PENDING, NOT_USED = "ok", "failed", "pending", "not-used"
MIGRATIONS_DIR = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "migrations"
)
REDIS_TIMEOUT_SECONDS = 2.0

bp = Blueprint("ops", __name__)


def migration_heads(directory: str = MIGRATIONS_DIR) -> set[str]:
    """The head revisions of the migrations shipped with this release."""
    return set(ScriptDirectory(directory).get_heads())


def check_database(engine: Engine, heads: set[str]) -> dict[str, str]:
    """The database's answer and whether its schema is at `heads` (one short connection)."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(connection).get_current_heads())
    except Exception:  # unreachable, wrong credentials, no such database: all mean "not ready"
        return {"database": FAILED, "migrations": FAILED}
    return {"database": OK, "migrations": OK if current == heads else PENDING}


def redis_url(config: Mapping[str, Any]) -> str | None:
    """The Redis the instances share: `REDIS_URL`, else the rate limits' storage if it is Redis."""
    for url in (config.get("REDIS_URL"), config.get("RATELIMIT_STORAGE_URI")):
        if url and url.startswith(("redis://", "rediss://", "unix://")):
            return url
    return None


def check_redis(url: str | None) -> str:
    if url is None:
        return NOT_USED
    client = redis.Redis.from_url(
        url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    except redis.RedisError:
        return FAILED
    finally:
        client.close()
    return OK


def readiness(engine: Engine, config: Mapping[str, Any]) -> dict[str, str]:
    return {**check_database(engine, migration_heads()), "redis": check_redis(redis_url(config))}


def is_ready(checks: Mapping[str, str]) -> bool:
    return all(status in (OK, NOT_USED) for status in checks.values())


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means "not healthy"
        current_app.logger.warning("health check: database unreachable")
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    checks = readiness(db.engine, current_app.config)
    if is_ready(checks):
        return jsonify(status="ready", checks=checks)
    current_app.logger.warning("not ready: %s", ", ".join(f"{name} {state}" for name, state in checks.items()))
    return jsonify(status="unavailable", checks=checks), 503
