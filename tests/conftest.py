"""Fixtures: `app`, `client`, `runner`, `auth`, `make_user` — and every database test runs on
SQLite and, when a server answers, on PostgreSQL (`TEST_DATABASE_URL`, or the local server);
`KEZEK_TEST_BACKENDS=sqlite` runs them on SQLite only.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from app import create_app
from app.auth import services as auth_services
from app.auth.iin import make_iin
from app.auth.models import Role
from app.centres.models import Centre
from app.core import clock
from app.extensions import db, limiter
from config import TestingConfig, database_url

LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
PASSWORD = "correct-horse-42"


def _postgres_url() -> str | None:
    """The PostgreSQL database the tests may use (and wipe), or None when none answers.

    Under pytest-xdist (`make test` runs a worker per CPU) each worker wipes a database of its own,
    named after the one it would use alone and the worker: test_gw0, test_gw1 …"""
    explicit = os.environ.get("TEST_DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    server = sa.make_url(database_url(explicit or LOCAL_POSTGRES))
    engine = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    # Auto-detected server: a database of our own, never the shared one.
    name = (server.database if explicit else "kezek_test") + (f"_{worker}" if worker else "")
    try:
        with engine.connect() as connection:
            if explicit and not worker:
                return database_url(explicit)
            exists = connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
            if not exists:
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError:
        if explicit:
            raise RuntimeError(f"TEST_DATABASE_URL is set but PostgreSQL does not answer: {explicit}") from None
        return None
    finally:
        engine.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


def _postgres_wanted() -> bool:
    """`KEZEK_TEST_BACKENDS=sqlite` (`make test-fast`) keeps every test on SQLite, even when a server answers."""
    chosen = os.environ.get("KEZEK_TEST_BACKENDS")
    return chosen is None or "postgresql" in chosen.split(",")


POSTGRES_URL = _postgres_url() if _postgres_wanted() else None
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


@pytest.fixture(scope="session")
def postgres_schema():
    """Create the schema once per test session on PostgreSQL."""
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": POSTGRES_URL})
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
        db.create_all()
        db.engine.dispose()
    return POSTGRES_URL


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kezek-test.sqlite'}"
    return request.getfixturevalue("postgres_schema")


@pytest.fixture
def app_factory(db_url):
    """Build more apps on the test's database (e.g. with other settings); all closed at the end."""
    apps = []

    def build(**overrides):
        app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": db_url, **overrides})
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    clock.set_clock(None)


@pytest.fixture(scope="session")
def sqlite_schema(tmp_path_factory) -> Path:
    """An SQLite database file with the schema, made once per test process and copied for each test:
    creating thirty tables and their indexes costs every test a dozen file syncs, a copy none."""
    path = tmp_path_factory.mktemp("schema") / "kezek-schema.sqlite"
    schema_app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with schema_app.app_context():
        db.create_all()
        db.engine.dispose()  # the last connection closes: the WAL is written back into the file
    return path


class PostgresReset:
    """Empties the test database between tests: DELETE of every table (in the order the foreign keys
    allow) and every sequence back to 1, in one round trip. TRUNCATE, which made each table anew,
    cost half a second a test; DELETE leaves dead rows behind, so every hundredth reset truncates."""

    TRUNCATE_EVERY = 100

    def __init__(self) -> None:
        self.resets = 0
        self.statement: str | None = None

    def __call__(self, connection) -> None:
        tables = [table.name for table in db.metadata.sorted_tables]
        self.resets += 1
        if self.resets % self.TRUNCATE_EVERY == 1:
            connection.exec_driver_sql(f"TRUNCATE {', '.join(map(quoted, tables))} RESTART IDENTITY CASCADE")
            return
        if self.statement is None:
            sequences = connection.exec_driver_sql(
                "SELECT schemaname || '.' || sequencename FROM pg_sequences WHERE schemaname = 'public'"
            ).scalars()
            restarts = ", ".join(f"setval('{name}', 1, false)" for name in sequences)
            deletes = "; ".join(f"DELETE FROM {quoted(name)}" for name in reversed(tables))  # noqa: S608  (our tables)
            self.statement = deletes + (f"; SELECT {restarts}" if restarts else "")
        connection.exec_driver_sql(self.statement)


def quoted(name: str) -> str:
    return f'"{name}"'


reset_postgres = PostgresReset()


@pytest.fixture
def app(app_factory, db_url, request):
    if db_url.startswith("sqlite"):
        shutil.copyfile(request.getfixturevalue("sqlite_schema"), db_url.removeprefix("sqlite:///"))
    app = app_factory()
    with app.app_context():
        if not db_url.startswith("sqlite"):
            with db.engine.begin() as connection:
                reset_postgres(connection)
        limiter.reset()
    return app


@pytest.fixture
def client(app):
    """A browser that prefers English (language tests set their own preference)."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token_from(html: str) -> str:
    field = BeautifulSoup(html, "html.parser").find("input", attrs={"name": "csrf_token"})
    assert field is not None, "the page has no CSRF token"
    return field["value"]


def submit_form(client, url: str, data: dict, *, page_url: str | None = None, **kwargs):
    """Like a browser: open the page, take its CSRF token, post the form."""
    page = client.get(page_url or url)
    return client.post(url, data={"csrf_token": csrf_token_from(page.get_data(as_text=True)), **data}, **kwargs)


@dataclass(frozen=True)
class UserRecord:
    """What a test needs of a user it made (ORM objects stay inside their app context)."""

    id: int
    email: str
    password: str
    iin: str


@dataclass
class UserFactory:
    app: object
    counter: int = 0

    def __call__(
        self,
        *,
        email: str | None = None,
        role: Role = Role.USER,
        centre_code: str | None = None,
        password: str = PASSWORD,
        language: str | None = None,
        full_name: str = "Test Person",
    ) -> UserRecord:
        self.counter += 1
        with self.app.app_context():
            centre = db.session.scalar(sa.select(Centre).where(Centre.code == centre_code)) if centre_code else None
            user = auth_services.register_user(
                db.session,
                auth_services.Registration(
                    email=email or f"user{self.counter}@example.kz",
                    password=password,
                    full_name=full_name,
                    iin=make_iin(date(1995, 1, self.counter % 28 + 1), "male", 1000 + self.counter * 7),
                    language=language,
                ),
                role=role,
                centre=centre,
            )
            db.session.commit()
            return UserRecord(user.id, user.email, password, user.iin)


@pytest.fixture
def make_user(app):
    return UserFactory(app)


def make_centre(app, code: str = "ALM", timezone: str = "Asia/Almaty") -> str:
    with app.app_context():
        db.session.add(
            Centre(
                code=code,
                name_kk=f"{code} орталығы",
                name_ru=f"Центр {code}",
                name_en=f"{code} centre",
                city_kk="Алматы",
                city_ru="Алматы",
                city_en="Almaty",
                address_kk="Абай даңғылы, 1",
                address_ru="проспект Абая, 1",
                address_en="1 Abai Avenue",
                timezone=timezone,
            )
        )
        db.session.commit()
    return code


@pytest.fixture
def centre(app) -> str:
    """The code of a centre in Almaty."""
    return make_centre(app)


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = PASSWORD, **extra):
        return submit_form(self.client, "/account/login", {"email": email, "password": password, **extra})

    def logout(self):
        return submit_form(self.client, "/account/logout", {}, page_url="/")


@pytest.fixture
def auth(client):
    return AuthActions(client)


EXAM_START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.fixture
def frozen(app):
    """A settable server clock, starting at EXAM_START: `frozen["now"] = ...`."""
    state = {"now": EXAM_START}
    clock.set_clock(lambda: state["now"])
    return state


@pytest.fixture
def bank(app):
    """A small exam bank: topics t1 and t2 with 30 questions each, profile B of 20 + 20, pass at 32."""
    from tests.support.factories import build_bank, build_profile

    with app.app_context():
        build_bank(db.session, {"t1": 30, "t2": 30})
        build_profile(db.session, {"t1": 20, "t2": 20}, pass_mark=32)
        db.session.commit()


# Fixtures that live with their helpers, offered to every test module.
from tests.support.bank import loaded  # noqa: E402, F401
from tests.support.mail import smtp  # noqa: E402, F401
