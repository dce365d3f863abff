"""`Server-Timing` on every answer: how long the server worked on it, and how much of that the
database took, in how many statements.

    Server-Timing: total;dur=4.2, db;dur=1.3;desc="2 statements"

Browsers show it beside the request in their developer tools; the page-time test
(tests/ops/test_page_times.py) reads it to hold every page under its limit, measured where the
work is done rather than across the test client. `total` runs from the first hook of the request
to this one (the view, its template and the other hooks); the time of the database is that of its
statements as the driver executed them (SQLAlchemy's cursor events), round trips included.

`KEZEK_SERVER_TIMING=0` leaves the header out (the figures say how long a page took, which a
deployment may prefer not to tell; the measuring itself costs a few microseconds)."""

from __future__ import annotations

import time

from flask import Flask, g, has_app_context
from sqlalchemy import event
from sqlalchemy.engine import Engine

HEADER = "Server-Timing"


class DatabaseTime:
    """The statements of one request: how many, and their time in seconds."""

    __slots__ = ("seconds", "statements")

    def __init__(self) -> None:
        self.statements = 0
        self.seconds = 0.0


def _request_timing() -> DatabaseTime | None:
    return g.get("_database_time") if has_app_context() else None


@event.listens_for(Engine, "before_cursor_execute")
def _statement_starts(conn, _cursor, _statement, _parameters, _context, _executemany) -> None:
    if _request_timing() is not None:
        conn.info["_statement_started"] = time.perf_counter()


@event.listens_for(Engine, "after_cursor_execute")
def _statement_ends(conn, _cursor, _statement, _parameters, _context, _executemany) -> None:
    timing = _request_timing()
    started = conn.info.pop("_statement_started", None)
    if timing is not None and started is not None:
        timing.statements += 1
        timing.seconds += time.perf_counter() - started


def header_value(total_seconds: float, database: DatabaseTime) -> str:
    statements = "statement" if database.statements == 1 else "statements"
    return (
        f"total;dur={total_seconds * 1000:.1f}, "
        f'db;dur={database.seconds * 1000:.1f};desc="{database.statements} {statements}"'
    )


def init_server_timing(app: Flask) -> None:
    if not app.config.get("SERVER_TIMING", True):
        return

    @app.before_request
    def _start_timing() -> None:
        g._server_timing_started = time.perf_counter()
        g._database_time = DatabaseTime()

    @app.after_request
    def _add_server_timing(response):
        started = g.get("_server_timing_started")
        if started is not None:
            response.headers[HEADER] = header_value(time.perf_counter() - started, g._database_time)
        return response
