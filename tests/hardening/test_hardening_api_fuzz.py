"""Schemathesis against /api/v1/openapi.json, signed in with a bearer token: whatever it sends,
no 5xx, and every answer is as documented — status, media type (`application/problem+json` for
errors), body, headers (a 405 names the allowed methods), and invalid input is refused. Every check
schemathesis has but positive data acceptance: the document cannot say which generated bodies the
domain accepts (a free slot, an eligible person). On PostgreSQL when a server answers (it is the
stricter database: NUL bytes, lengths, types), else SQLite."""

from __future__ import annotations

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

# The builder `st run` and schemathesis's pytest plugin use (the plugin fails under pytest 9).
from schemathesis.generation.hypothesis.builder import HypothesisTestConfig, HypothesisTestMode, create_test

from app import create_app
from app.auth import services as auth_services
from app.auth.models import User
from app.core import clock
from app.extensions import db
from config import TestingConfig
from tests.conftest import POSTGRES_URL, UserFactory
from tests.support.hardening_support import seed_world


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


FUZZ_SETTINGS = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


def call_and_check(app, world, case) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token_for(app, world, case)}"},
        excluded_checks=[positive_data_acceptance],
    )


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_api_answers_without_server_errors_and_as_documented(api, method, path):
    """Each operation through schemathesis's coverage phase (the boundaries: missing and extra
    fields, values at and past each limit, methods the path does not have) and its fuzzing phase
    (random data, valid and not), as `st run` drives them."""
    app, world = api
    document = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)

    def call(case):
        case.call_and_validate(
            headers={"Authorization": f"Bearer {token_for(app, world, case)}"},
            excluded_checks=[positive_data_acceptance],
        )

    phases = HypothesisTestConfig(
        project=document.config,
        modes=[HypothesisTestMode.COVERAGE, HypothesisTestMode.FUZZING],
        settings=settings(
            max_examples=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
        ),
    )
    create_test(operation=document[path][method], test_func=call, config=phases)()
