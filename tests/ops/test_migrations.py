"""The migrations build, from an empty database, exactly the schema the models describe."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db
from config import TestingConfig
from tests.conftest import BACKENDS, POSTGRES_URL


def empty_database_url(backend: str, tmp_path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'migrations.sqlite'}"
    base, test_database = POSTGRES_URL.rsplit("/", 1)
    name = f"{test_database.split('?')[0]}_migrations"  # beside the test database, never shared
    server = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return f"{base}/{name}"


@pytest.mark.parametrize("backend", BACKENDS)
def test_migrations_match_models(backend, tmp_path):
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": empty_database_url(backend, tmp_path)})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == []
        downgrade(revision="base")
        with db.engine.connect() as connection:
            assert set(sa.inspect(connection).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


@pytest.mark.postgres_only
@pytest.mark.parametrize("backend", [b for b in BACKENDS if b == "postgresql"])
def test_slot_pages_keep_room_for_hot_updates(backend, tmp_path):
    """0012: half of each slot page stays free (HOT updates of `booked`), whether the schema comes
    from the migrations or from the models; the downgrade resets it."""
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": empty_database_url(backend, tmp_path)})

    def options():
        with db.engine.connect() as connection:
            return connection.scalar(sa.text("SELECT reloptions FROM pg_class WHERE relname = 'slot'"))

    with app.app_context():
        upgrade()
        assert options() == ["fillfactor=50"]
        downgrade(revision="0011")
        assert options() is None
        downgrade(revision="base")
        db.create_all()
        assert options() == ["fillfactor=50"]
        db.drop_all()
        db.engine.dispose()


@pytest.mark.postgres_only
@pytest.mark.parametrize("backend", [b for b in BACKENDS if b == "postgresql"])
def test_a_slots_history_is_found_without_reading_all_of_it(backend, tmp_path):
    """0013: deleting a never-booked slot (a closure) makes PostgreSQL look for the slot in the
    booking history (its foreign key); an index finds it there, where before it read the whole table
    once per slot."""
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": empty_database_url(backend, tmp_path)})

    def plan() -> str:
        with db.engine.begin() as connection:
            connection.execute(sa.text("SET LOCAL enable_seqscan = off"))
            rows = connection.execute(sa.text("EXPLAIN SELECT 1 FROM booking_event WHERE slot_id = 1"))
            return "\n".join(row[0] for row in rows)

    with app.app_context():
        upgrade()
        assert "ix_booking_event_slot_id" in plan()
        downgrade(revision="0012")
        assert "Seq Scan on booking_event" in plan()
        downgrade(revision="base")
        db.engine.dispose()
