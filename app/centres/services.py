"""Finding centres, and their administration (admins create and change them)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time

from flask_babel import format_time
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.services import record as audit
from app.centres.models import Centre
from app.core.acting import Acting
from app.core.errors import FieldErrors

# The texts a centre has in each language (the admin form's fields).
CENTRE_FIELDS = tuple(
    f"{field}_{language}" for field in ("name", "city", "address", "opening_hours") for language in ("kk", "ru", "en")
)


def centres_by_city(session: Session) -> dict[str, list[Centre]]:
    """Every centre, grouped by city (in the reader's language), cities and centres sorted."""
    grouped: dict[str, list[Centre]] = {}
    for centre in session.scalars(select(Centre).order_by(Centre.code)):
        grouped.setdefault(centre.city, []).append(centre)
    return {city: sorted(grouped[city], key=lambda centre: centre.name) for city in sorted(grouped)}


def find_centre(session: Session, code: str) -> Centre | None:
    return session.scalar(select(Centre).where(Centre.code == code.upper()))


def check_lunch_break(
    starts_at: time | None, ends_at: time | None, exam_hours: tuple[time, time] | None
) -> tuple[time, time] | None:
    """The lunch break to keep (None: no break), or FieldErrors. It ends after it starts and lies within
    the hours the centre holds exams (`exam_hours`: its weekly templates' span; None when it has none)."""
    if starts_at is None and ends_at is None:
        return None
    if starts_at is None or ends_at is None:
        missing = "lunch_starts_at" if starts_at is None else "lunch_ends_at"
        raise FieldErrors({missing: [_l("Give both the start and the end of the lunch break, or neither.")]})
    if ends_at <= starts_at:
        raise FieldErrors({"lunch_ends_at": [_l("The lunch break must end after it starts.")]})
    if exam_hours is not None and not (exam_hours[0] <= starts_at and ends_at <= exam_hours[1]):
        opens, closes = (format_time(moment, "short") for moment in exam_hours)
        message = _l(
            "The lunch break must lie within the centre's opening hours, %(opens)s–%(closes)s (its weekly templates).",
            opens=opens,
            closes=closes,
        )
        raise FieldErrors({"lunch_starts_at": [message]})
    return starts_at, ends_at


def save_centre(
    acting: Acting,
    values: Mapping[str, object],
    centre: Centre | None = None,
    exam_hours: tuple[time, time] | None = None,
) -> Centre:
    """Create a centre or change one (its code stays: tickets and exports carry it). `exam_hours`: the
    span of its weekly templates, which its lunch break must lie in."""
    session = acting.session
    lunch = check_lunch_break(values.get("lunch_starts_at"), values.get("lunch_ends_at"), exam_hours)
    code = (values.get("code") or "").strip().upper()
    if centre is None:
        if not (2 <= len(code) <= 10 and code.isascii() and code.isalnum()):
            raise FieldErrors({"code": [_l("2 to 10 Latin letters or digits, e.g. ALM.")]})
        if find_centre(session, code) is not None:
            raise FieldErrors({"code": [_l("A centre with this code already exists.")]})
        centre = Centre(code=code, created_at=acting.now)
        session.add(centre)
    for name in CENTRE_FIELDS:
        setattr(centre, name, " ".join(str(values.get(name) or "").split()))
    centre.timezone = values["timezone"]
    centre.lunch_starts_at, centre.lunch_ends_at = lunch or (None, None)
    session.flush()
    lunch_text = f"{lunch[0]:%H:%M}-{lunch[1]:%H:%M}" if lunch else None
    audit(acting, "centre-saved", centre, details={"timezone": centre.timezone, "lunch": lunch_text})
    return centre
