"""What the appeal steps check: the limits on the texts people write, the refusal of a step the case
is already past, and the day at the centre that has the case (the terms run in its days)."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from app.centres.models import Centre
from app.core.errors import DomainError

ESSENCE_MAX = 4000
TEXT_MAX = 2000
POSTAL_ADDRESS_MAX = 300
POSITION_MAX = 200


def required_text(errors: dict[str, list], field: str, value: str | None, limit: int) -> str:
    """`value` stripped; an empty or too long one adds a message for `field` to `errors`."""
    value = (value or "").strip()
    if not value:
        errors.setdefault(field, []).append(_l("This field is required."))
    elif len(value) > limit:
        errors.setdefault(field, []).append(_l("At most %(count)s characters.", count=limit))
    return value


def not_open() -> DomainError:
    return DomainError(_l("This appeal is no longer open for this step."), code="appeal-not-open", status=409)


def local_day(centre: Centre, moment: datetime) -> date:
    return centre.local(moment).date()
