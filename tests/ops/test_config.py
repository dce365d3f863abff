"""Production refuses insecure settings; the factory has no side effects."""

import pytest

from app import create_app
from config import DevelopmentConfig, ProductionConfig, config_for, database_url

POSTGRES = "postgresql+psycopg://kezek@db.internal/kezek"
GOOD_KEY = "k" * 48
REDIS = "redis://redis.internal:6379"
SECURE = {"SECRET_KEY": GOOD_KEY, "SQLALCHEMY_DATABASE_URI": POSTGRES, "RATELIMIT_STORAGE_URI": REDIS}


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"SECRET_KEY": DevelopmentConfig.SECRET_KEY}, "SECRET_KEY"),
        ({"SESSION_COOKIE_SECURE": False}, "COOKIE_SECURE"),
        ({"REMEMBER_COOKIE_SECURE": False}, "COOKIE_SECURE"),
        ({"SQLALCHEMY_DATABASE_URI": "sqlite:///kezek.sqlite"}, "DATABASE_URL"),
        ({"RATELIMIT_STORAGE_URI": "memory://"}, "RATELIMIT_STORAGE_URI"),
        ({"RATELIMIT_ENABLED": False}, "RATELIMIT_ENABLED"),
    ],
)
def test_production_refuses_insecure_settings(overrides, fragment):
    settings = {**SECURE, **overrides}
    with pytest.raises(RuntimeError, match=fragment):
        create_app(ProductionConfig, settings)


def test_production_starts_with_secure_settings():
    app = create_app(ProductionConfig, SECURE)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_unknown_environment_is_refused():
    with pytest.raises(RuntimeError, match="KEZEK_ENV"):
        config_for("staging")


def test_plain_postgres_url_uses_psycopg3():
    assert database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_create_app_touches_no_database():
    # An unreachable database must not matter until something queries it.
    app = create_app(ProductionConfig, SECURE)
    assert "sqlalchemy" in app.extensions
