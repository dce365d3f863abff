"""`/readyz`: ready only when the database answers, its schema is at the migrations' head, and the
shared Redis (when one is configured) answers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from app.extensions import db
from app.ops.health import MIGRATIONS_DIR

UNREACHABLE_DATABASE = {
    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
    "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 1}},
}


@pytest.fixture
def stamp(app):
    """Record a migration revision as applied (the tests' schema comes from the models)."""

    def stamp_at(revision: str) -> None:
        with app.app_context(), db.engine.begin() as connection:
            MigrationContext.configure(connection).stamp(ScriptDirectory(MIGRATIONS_DIR), revision)

    yield stamp_at
    with app.app_context(), db.engine.begin() as connection:  # PostgreSQL keeps it between tests
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


def previous_revision() -> str:
    script = ScriptDirectory(MIGRATIONS_DIR)
    (head,) = script.get_heads()
    return script.get_revision(head).down_revision


def test_ready_when_the_schema_is_at_head(client, stamp):
    stamp("heads")
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "redis": "not-used"},
    }


@pytest.mark.parametrize("revision", [None, "previous"])
def test_not_ready_while_a_migration_is_pending(client, stamp, revision):
    if revision:
        stamp(previous_revision())
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["migrations"] == "pending"
    assert response.get_json()["status"] == "unavailable"


def test_not_ready_when_the_database_is_unreachable(app_factory):
    response = app_factory(**UNREACHABLE_DATABASE).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {"database": "failed", "migrations": "failed", "redis": "not-used"}


@pytest.mark.parametrize(
    ("redis_url", "state", "status"),
    [
        ("redis://127.0.0.1:6379/0", "ok", 200),
        ("redis://127.0.0.1:1/0", "failed", 503),
    ],
)
def test_redis_is_checked_when_configured(app_factory, app, stamp, redis_url, state, status):
    stamp("heads")
    response = app_factory(REDIS_URL=redis_url).test_client().get("/readyz")
    assert response.get_json()["checks"]["redis"] == state
    assert response.status_code == status


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({}, None),
        ({"RATELIMIT_STORAGE_URI": "memory://"}, None),
        ({"RATELIMIT_STORAGE_URI": "redis://cache:6379/1"}, "redis://cache:6379/1"),
        ({"REDIS_URL": "redis://a/0", "RATELIMIT_STORAGE_URI": "redis://b/0"}, "redis://a/0"),
    ],
)
def test_which_redis_is_checked(settings, expected):
    from app.ops.health import redis_url

    assert redis_url(settings) == expected
