"""Database connection settings that every engine of the application gets, and the end of each
request's session when the database went away under it.

SQLite: foreign keys on, WAL, a busy timeout, and write-safe transactions. Python's sqlite3
driver defers BEGIN, so a transaction that reads and then writes can race another writer or
fail with SQLITE_BUSY; we take the write lock at BEGIN (BEGIN IMMEDIATE) instead, which makes a
read-check-write inside one transaction safe.
"""

from __future__ import annotations

import sqlite3

from flask import Flask
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

SQLITE_BUSY_TIMEOUT_MS = 30_000


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin_immediate(connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def insert_for(session: Session, model):
    """An INSERT for `model` in the session's dialect, so that `on_conflict_do_*` works the same on
    SQLite and PostgreSQL (both speak `INSERT … ON CONFLICT`)."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def close_sessions_of_lost_connections(app: Flask) -> None:
    """End every request's session even when its connection died (the database restarted).

    Closing the session rolls its transaction back; on a connection the server has dropped that
    rollback raises, which Flask-SQLAlchemy's own teardown lets escape: the answer already made
    (often a success, committed before the drop) becomes the server's bare 500 page. SQLAlchemy
    has invalidated the connection by then (the pool discards it), so a second close finishes.
    Flask runs teardowns in reverse order, so this one, registered later, runs first.
    """
    from app.extensions import db

    @app.teardown_appcontext
    def remove_session(_exception: BaseException | None) -> None:
        try:
            db.session.remove()
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
            app.logger.warning("database connection lost at the end of a request; discarded")
            db.session.remove()
