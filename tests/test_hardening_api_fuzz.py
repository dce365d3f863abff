"""Schemathesis against /api/v1/openapi.json, signed in with a bearer token: whatever it sends,
no 5xx, and every documented answer matches its schema. On PostgreSQL when a server answers (it is
the stricter database: NUL bytes, lengths, types), else SQLite."""

from __future__ import annotations

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from app import create_app
from app.auth import services as auth_services
from app.auth.models import User
from app.core import clock
from app.extensions import db
from config import TestingConfig
from tests.conftest import POSTGRES_URL, UserFactory
from tests.hardening_support import seed_world


@pytest.fixture(scope="module")
def api(request, tmp_path_factory):
    if POSTGRES_URL:
        url = request.getfixturevalue("postgres_schema")
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'kezek.sqlite'}"
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.create_all()
        tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
        if POSTGRES_URL:
            with db.engine.begin() as connection:
                connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    world = seed_world(app, UserFactory(app))
    yield app, world
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    clock.set_clock(None)


def _operations() -> list[tuple[str, str]]:
    """(method, path) of every operation the OpenAPI document describes (no database needed)."""
    document = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", create_app(TestingConfig))
    return [(result.ok().method.upper(), result.ok().path) for result in document.get_all_operations()]


OPERATIONS = _operations()


def token_for(app, world, case) -> str:
    """Staff paths with a staff member's token, the rest with the applicant's; signing out (DELETE
    /auth/token) with a token of its own, so that the others stay valid."""
    role = "staff" if case.operation.path.startswith("/api/v1/staff/") else "user"
    if case.method.upper() != "DELETE":
        return world.tokens[role]
    with app.app_context():
        token, _ = auth_services.issue_token(db.session, db.session.get(User, world.users[role]), 3600)
        db.session.commit()
    return token


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_api_answers_without_server_errors_and_as_documented(api, method, path):
    app, world = api
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][method]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    def call(case):
        case.call_and_validate(
            headers={"Authorization": f"Bearer {token_for(app, world, case)}"},
            checks=[not_a_server_error, response_schema_conformance],
        )

    call()
