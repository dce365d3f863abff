"""One winner for every state change: the row is locked before its state is checked.

A service reads a row, checks its state in Python and writes. Under PostgreSQL's READ COMMITTED
two requests at once would both pass the check (a cancel counted three times, a move past the
limit), so every state change first calls `lock`: `SELECT … FOR UPDATE` of the row, which waits
for any other transaction changing it and then answers the row as that one committed it. The
checks that follow see the winner's change. SQLite renders no FOR UPDATE and needs none: every
transaction takes the write lock at BEGIN (app/core/database.py), so nobody changes a row between
its read and its write there.

A row that another request changed while this one waited (the watched attributes differ from
what this request had read) is refused with one 409, `concurrent-change`: the person acted on a
state that no longer exists, and the state they would now act on may not be what they meant.
"""

from __future__ import annotations

from typing import TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from app.core.errors import DomainError

Row = TypeVar("Row")


class ConcurrentChange(DomainError):
    status = 409
    code = "concurrent-change"

    def __init__(self):
        super().__init__(_l("This was changed by another request at the same moment. Look at it again and retry."))


def lock(session: Session, row: Row, *watched: str) -> Row:
    """Lock `row` for the rest of the transaction and load it as committed; raise
    `ConcurrentChange` when one of the `watched` attributes changed since this request read it."""
    before = {name: getattr(row, name) for name in watched}
    mapper = inspect(type(row))
    if any(relationship.lazy == "joined" for relationship in mapper.relationships):
        # The lock is its own statement on the row's key alone. Locked in the same SELECT that joins
        # the row's eager relationships, a row another transaction had just changed comes back
        # re-checked against the joined rows as they were (PostgreSQL's EvalPlanQual), so a booking
        # that had moved would come back without its slot.
        key = inspect(row).identity
        session.execute(
            select(*mapper.primary_key)
            .where(*(column == value for column, value in zip(mapper.primary_key, key, strict=True)))
            .with_for_update()
        )
        # Expired first: relationships are loaded again too (e.g. a complaint filed meanwhile).
        session.expire(row)
        session.refresh(row)
    else:
        # Nothing joined to the row (an attempt): the lock and the fresh row in one statement, a
        # round trip less for every answer in an exam.
        session.expire(row)
        session.refresh(row, with_for_update=True)
    if any(getattr(row, name) != value for name, value in before.items()):
        raise ConcurrentChange()
    return row
