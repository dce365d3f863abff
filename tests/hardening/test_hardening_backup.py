"""Backup and restore as documented in the README: `pg_dump`/`pg_restore` for PostgreSQL, SQLite's
online backup API for SQLite. A seeded database is backed up and restored into a new one; every
row of every table comes back, and the app works on the restored copy."""

from __future__ import annotations

import re
import sqlite3
import subprocess

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from config import TestingConfig
from tests.conftest import BACKENDS
from tests.support.hardening_support import seed_world


def all_rows(app) -> dict[str, list[tuple]]:
    with app.app_context():
        return {
            table.name: [tuple(row) for row in db.session.execute(table.select().order_by(*table.primary_key))]
            for table in db.metadata.sorted_tables
        }


def assert_restored(app, restored_url: str, world) -> None:
    restored = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": restored_url})
    try:
        original_rows = all_rows(app)
        assert original_rows["booking"]
        assert original_rows["appeal"]
        assert original_rows["outbox_message"]
        assert all_rows(restored) == original_rows
        # The app works on the copy: the applicant's token and booking are there.
        client = restored.test_client()
        response = client.get(
            f"/api/v1/bookings/{world.ids['booking_id']}", headers={"Authorization": f"Bearer {world.tokens['user']}"}
        )
        assert response.status_code == 200
        assert response.get_json()["status"] == "confirmed"
    finally:
        with restored.app_context():
            db.engine.dispose()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_sqlite_backup_api_round_trip(app, make_user, db_url, tmp_path):
    world = seed_world(app, make_user)
    target = tmp_path / "backup.sqlite"
    # What the README documents: the online backup API (consistent even while the app writes).
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as source, sqlite3.connect(target) as backup:
        source.backup(backup)
    assert_restored(app, f"sqlite:///{target}", world)


@pytest.mark.postgres_only
@pytest.mark.slow  # pg_dump and pg_restore processes
@pytest.mark.parametrize("db_url", [b for b in BACKENDS if b == "postgresql"], indirect=True)
def test_pg_dump_and_pg_restore_round_trip(app, make_user, db_url, tmp_path):
    world = seed_world(app, make_user)
    libpq_url = db_url.replace("postgresql+psycopg://", "postgresql://")
    restore_name = re.sub(r".*/", "", libpq_url) + "_restore"
    restore_url = re.sub(r"/[^/]*$", f"/{restore_name}", libpq_url)
    admin = sa.create_engine(db_url, isolation_level="AUTOCOMMIT")
    dump = tmp_path / "kezek.dump"
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{restore_name}"'))
            connection.execute(sa.text(f'CREATE DATABASE "{restore_name}"'))
        subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", libpq_url], check=True)  # noqa: S603, S607
        subprocess.run(  # noqa: S603
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restore_url}", str(dump)],  # noqa: S607
            check=True,
        )
        assert_restored(app, restore_url.replace("postgresql://", "postgresql+psycopg://"), world)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{restore_name}" WITH (FORCE)'))
        admin.dispose()
