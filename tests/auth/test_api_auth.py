"""API v1: register, token, problem+json errors and the OpenAPI document."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.auth import services
from app.auth.models import ApiToken, User
from app.core import clock
from app.extensions import db
from tests.conftest import PASSWORD
from tests.support.mail import confirm_registration
from tests.support.problems import assert_problem

REGISTRATION = {
    "email": "Learner@Example.kz",
    "password": "steppe-road-2026",
    "full_name": "Айгерім Сәрсенова",
    "iin": "900101300017",
    "phone": "+7 701 234 56 78",
    "lang": "kk",
}


def test_register(client, app):
    response = client.post("/api/v1/auth/register", json=REGISTRATION)
    assert response.status_code == 202
    body = response.get_json()
    assert body == {"status": "pending", "detail": "Check your e-mail to finish your registration."}
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
    assert confirm_registration(client, app, REGISTRATION["email"]).status_code == 302
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert (user.email, user.phone, user.language, user.role) == (
            "learner@example.kz",
            "+77012345678",
            "kk",
            "user",
        )
    token = client.post("/api/v1/auth/token", json={"email": user.email, "password": REGISTRATION["password"]})
    assert token.status_code == 200


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"iin": "900101300018"}, "iin"),
        ({"password": "weakpass"}, "password"),
        ({"email": "nope"}, "email"),
        ({"lang": "de"}, "lang"),
        ({"iin": None}, "iin"),
    ],
)
def test_register_field_errors(client, app, changes, field):
    response = client.post("/api/v1/auth/register", json={**REGISTRATION, **changes})
    body = assert_problem(response, 422, "validation-error")
    assert field in body["errors"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_register_duplicate_email(client, make_user):
    make_user(email="learner@example.kz")
    response = client.post("/api/v1/auth/register", json=REGISTRATION)
    assert response.status_code == 202  # as for a new address (tests/auth/test_registration.py)
    assert set(response.get_json()) == {"status", "detail"}


def test_register_errors_follow_the_language(client):
    response = client.post(
        "/api/v1/auth/register", json={**REGISTRATION, "iin": "123"}, headers={"Accept-Language": "ru"}
    )
    assert "12 цифр" in response.get_json(force=True)["errors"]["iin"][0]


def test_missing_body_is_a_problem(client):
    assert_problem(
        client.post("/api/v1/auth/register", data="nonsense", content_type="application/json"), 400, "bad-request"
    )


def test_token_and_use(client, make_user):
    user = make_user()
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    body = response.get_json()
    assert len(body["token"]) >= 40
    assert body["expires_at"]
    headers = {"Authorization": f"Bearer {body['token']}"}
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    # A revoked token no longer works.
    assert_problem(client.delete("/api/v1/auth/token", headers=headers), 401, "unauthorized")


def test_token_is_stored_hashed(client, app, make_user):
    user = make_user()
    token = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD}).get_json()["token"]
    with app.app_context():
        stored = db.session.scalar(sa.select(ApiToken.token_hash))
        assert stored != token
        assert len(stored) == 64


def test_token_expires(app, make_user):
    user = make_user()
    with app.app_context():
        token, _ = services.issue_token(db.session, db.session.get(User, user.id), ttl_seconds=60)
        db.session.commit()
        assert services.user_for_token(db.session, token) is not None
        later = clock.utcnow() + timedelta(seconds=61)
        assert services.user_for_token(db.session, token, now=later) is None


def test_wrong_credentials(client, make_user):
    user = make_user()
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": "wrong-one-1"})
    assert_problem(response, 401, "unauthorized")
    assert_problem(
        client.post("/api/v1/auth/token", json={"email": "nobody@example.kz", "password": "x"}), 401, "unauthorized"
    )


def test_token_endpoint_is_rate_limited(client, make_user):
    user = make_user()
    statuses = [
        client.post("/api/v1/auth/token", json={"email": f"x{n}@example.kz", "password": "wrong-one-1"}).status_code
        for n in range(11)
    ]
    assert statuses[:10] == [401] * 10
    body = assert_problem(
        client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD}), 429, "rate-limited"
    )
    assert body["detail"]


def test_password_change_revokes_tokens(client, app, make_user):
    user = make_user()
    token = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD}).get_json()["token"]
    with app.app_context():
        services.change_password(
            db.session, db.session.get(User, user.id), current_password=PASSWORD, new_password="another-secret-5"
        )
        db.session.commit()
    assert_problem(
        client.delete("/api/v1/auth/token", headers={"Authorization": f"Bearer {token}"}), 401, "unauthorized"
    )


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer not-a-token", "Basic abc"])
def test_bad_authorization_headers(client, header):
    response = client.delete("/api/v1/auth/token", headers={"Authorization": header})
    assert_problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_unknown_api_path_is_problem_json(client):
    assert_problem(client.get("/api/v1/nothing-here"), 404, "not-found")
    assert_problem(client.get("/api/v1/auth/register"), 405, "method-not-allowed")


def test_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/auth/register", "/api/v1/auth/token"} <= spec["paths"].keys()
    schemas = spec["components"]["schemas"]
    assert "iin" in schemas["Register"]["properties"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_reports_unreachable_database(app_factory):
    app = app_factory(
        SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:1/none",
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 1}},
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}
