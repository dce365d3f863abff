"""Two requests interleaved on purpose, on PostgreSQL: both read before either writes.

Each request runs in a thread of its own, with its own app context (so its own session and
connection), in three steps: it reads what a view would load, waits until the other has read too,
then writes and commits. The first request writes first; the second starts writing once the first
has written, while the first's change is not yet committed.
Without a lock both pass their checks on what they read, and both changes land.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.core.errors import DomainError
from app.extensions import db

WAIT_SECONDS = 30
# How long the first request keeps its change uncommitted once the second may write: the second
# then checks and writes while the first's change is invisible to it, as under real load.
UNCOMMITTED_SECONDS = 0.3


@dataclass(frozen=True)
class Request:
    read: Callable[[Session], Any]
    write: Callable[[Session, Any], Any]


def interleave(app, first: Request, second: Request) -> list[str]:
    """Run both requests as above; returns each one's outcome: "ok", or the code of the domain
    error it was refused with. Any other error fails the test."""
    both_read = threading.Barrier(2, timeout=WAIT_SECONDS)
    first_wrote = threading.Event()
    outcomes: list[Any] = [None, None]

    def run(index: int, request: Request) -> None:
        with app.app_context():
            try:
                loaded = request.read(db.session)
                both_read.wait()
                if index == 1:
                    assert first_wrote.wait(WAIT_SECONDS), "the first request never wrote"
                request.write(db.session, loaded)
                if index == 0:
                    first_wrote.set()
                    time.sleep(UNCOMMITTED_SECONDS)
                db.session.commit()
                outcomes[index] = "ok"
            except DomainError as error:
                db.session.rollback()
                outcomes[index] = error.code
            except BaseException as error:  # reported below, in the test's thread
                db.session.rollback()
                outcomes[index] = error
            finally:
                first_wrote.set()  # a first request that failed must not hold the second back
                db.session.remove()

    threads = [threading.Thread(target=run, args=(index, request)) for index, request in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(2 * WAIT_SECONDS)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    assert all(isinstance(outcome, str) for outcome in outcomes), outcomes
    return outcomes


def same_twice(app, read: Callable[[Session], Any], write: Callable[[Session, Any], Any]) -> list[str]:
    """The same request twice at once (a double submit, or one person with two tokens)."""
    return interleave(app, Request(read, write), Request(read, write))


def post_at_once(port: int, path: str, tokens: list[str], body: dict | None = None) -> list[tuple[int, dict]]:
    """POST `body` to the API's `path` once per token, all at the same moment (a thread each);
    returns each answer's status and JSON body."""
    barrier = threading.Barrier(len(tokens), timeout=WAIT_SECONDS)
    answers: list[tuple[int, dict] | None] = [None] * len(tokens)

    def send(index: int, token: str) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2 * WAIT_SECONDS)
        barrier.wait()
        connection.request(
            "POST",
            path,
            body=json.dumps(body or {}),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        response = connection.getresponse()
        answers[index] = (response.status, json.loads(response.read()))
        connection.close()

    threads = [threading.Thread(target=send, args=(index, token)) for index, token in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(3 * WAIT_SECONDS)
    assert all(answers), answers
    return answers
