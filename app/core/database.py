"""Database connection settings that every engine of the application gets, and the end of each
request's session when the database went away under it.

SQLite: foreign keys on, WAL, a busy timeout, and write-safe transactions. Python's sqlite3
driver defers BEGIN, so a transaction that reads and then writes can race another writer or
fail with SQLITE_BUSY; we take the write lock at BEGIN (BEGIN IMMEDIATE) instead, which makes a
read-check-write inside one transaction safe.

PostgreSQL: a transaction begins at the first statement that is not a plain read. psycopg would
send BEGIN before the first statement of all, a round trip of its own, and a request that only
read would then end with one more (its ROLLBACK, or the COMMIT of nothing). Plain reads before the
first write run on their own instead (the driver's autocommit), which reads the same rows:
under READ COMMITTED every statement sees what was committed when it started, inside a
transaction or not. A write, a locking read (`FOR UPDATE`/`FOR SHARE`), a server-side cursor or
anything else sends BEGIN first, and from there on everything is one transaction as before, ended
by the session's COMMIT or ROLLBACK. A request that wrote nothing costs one round trip per
statement and none to end. Engines or connections given an explicit isolation level keep the
driver's own behaviour.
"""

from __future__ import annotations

import re
import sqlite3
import weakref

import psycopg
from flask import Flask, request
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
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


# A statement that may run outside a transaction: a SELECT that locks nothing. Anything else (a
# WITH that might write, a function known to need the transaction) begins one first.
_PLAIN_READ = re.compile(r"\s*SELECT\b", re.IGNORECASE)
_NEEDS_TRANSACTION = re.compile(
    r"\bFOR\s+(?:NO\s+KEY\s+)?(?:UPDATE|SHARE|KEY\s+SHARE)\b|pg_advisory_xact", re.IGNORECASE
)
_IDLE = psycopg.pq.TransactionStatus.IDLE


def needs_transaction(statement: str) -> bool:
    return not _PLAIN_READ.match(statement) or bool(_NEEDS_TRANSACTION.search(statement))


# The driver connections whose autocommit this module turned on (any other is an engine's choice).
_OURS: weakref.WeakSet[psycopg.Connection] = weakref.WeakSet()


def _begin_at_first_write(cursor, statement: str, context) -> None:
    driver = cursor.connection
    conn = context.root_connection
    if driver.info.transaction_status != _IDLE or "isolation_level" in conn.get_execution_options():
        return  # inside a transaction already, or a level chosen for this use: the driver's own way
    if driver.autocommit and driver not in _OURS:
        return  # an engine made for AUTOCOMMIT (CREATE DATABASE and the like)
    if isinstance(cursor, psycopg.ServerCursor) or needs_transaction(statement):
        if driver.autocommit:
            driver.execute("BEGIN")  # otherwise the driver begins one itself
    elif not driver.autocommit:
        driver.autocommit = True  # allowed while idle; kept for the connection's next uses
        _OURS.add(driver)


# The dialect's execute events run inside SQLAlchemy's error handling: a connection found dead by
# the BEGIN is reported and invalidated like one found dead by the statement itself.
@event.listens_for(PGDialect_psycopg, "do_execute")
def _execute(cursor, statement, _parameters, context) -> None:
    _begin_at_first_write(cursor, statement, context)


@event.listens_for(PGDialect_psycopg, "do_executemany")
def _executemany(cursor, statement, _parameters, context) -> None:
    _begin_at_first_write(cursor, statement, context)


@event.listens_for(PGDialect_psycopg, "do_execute_no_params")
def _execute_no_params(cursor, statement, context) -> None:
    _begin_at_first_write(cursor, statement, context)


def insert_for(session: Session, model):
    """An INSERT for `model` in the session's dialect, so that `on_conflict_do_*` works the same on
    SQLite and PostgreSQL (both speak `INSERT … ON CONFLICT`)."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def unnest_rows(types: dict[str, str], rows: list[dict]) -> tuple[str, dict[str, list]]:
    """Many rows as one array parameter per column, for PostgreSQL's `… FROM unnest(…) AS v(…)`:
    `types` maps each column of `rows` to its SQL type. Thousands of rows then cost one statement
    of a few parameters (an executemany or a multi-row VALUES costs the driver a parameter each)."""
    arrays = ", ".join(f"CAST(:v_{name} AS {sql_type}[])" for name, sql_type in types.items())
    source = f"unnest({arrays}) AS v({', '.join(types)})"
    return source, {f"v_{name}": [row.get(name) for row in rows] for name in types}


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


# A GET or HEAD whose database connection turned out dead is served once more, from the start.
SAFE_METHODS = frozenset({"GET", "HEAD"})
_RETRY = "kezek.database_retry"  # in the WSGI environ: this answer is to be thrown away and the request served again
_RETRIED = "kezek.database_retried"  # this is the second try: no third


def mark_for_retry(error: DBAPIError) -> bool:
    """Whether the request that met `error` will be served once more (and its answer discarded).

    Without a liveness check before each use (a round trip on every request), the pool learns that
    the database restarted from the first statement that fails on an old connection. SQLAlchemy
    then invalidates the whole pool, so a second try gets a fresh connection. Only a GET or HEAD
    without a body is tried again: its transaction died with the connection, so it changed nothing,
    and it may be repeated. Anything else answers 503 and its client decides."""
    environ = request.environ
    if (
        error.connection_invalidated
        and request.method in SAFE_METHODS
        and not request.content_length
        and not environ.get(_RETRIED)
    ):
        environ[_RETRY] = True
        return True
    return False


class RetryReadsOnLostConnections:
    """WSGI middleware: serves a request marked by `mark_for_retry` a second time."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") not in SAFE_METHODS:
            return self.wsgi_app(environ, start_response)
        pristine = environ.copy()
        held: list = []

        def hold(status, headers, exc_info=None):
            held[:] = [status, headers, exc_info]
            return _no_write

        body = self.wsgi_app(environ, hold)
        if not environ.get(_RETRY):
            start_response(*held)
            return body
        if hasattr(body, "close"):
            body.close()
        pristine[_RETRIED] = True
        return self.wsgi_app(pristine, start_response)


def _no_write(_data: bytes) -> None:
    raise RuntimeError("the legacy WSGI write() is not supported here")


def retry_reads_on_lost_connections(app: Flask) -> None:
    app.wsgi_app = RetryReadsOnLostConnections(app.wsgi_app)
