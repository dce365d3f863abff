"""Who acts, when, and under which rules: what every staff and appeal step needs, passed as one
value instead of threaded through each call as four arguments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from app.auth.models import User


@dataclass(frozen=True)
class Acting:
    """One step of a person (or of the system, with no `actor`) at the server's `now`; `policy` is
    the booking rules in force where a step needs them."""

    session: Session
    actor: User | None
    now: datetime
    policy: Any = None
