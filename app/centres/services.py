"""Finding centres, and their administration (admins create and change them)."""

from __future__ import annotations

from collections.abc import Mapping

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


def save_centre(acting: Acting, values: Mapping[str, str], centre: Centre | None = None) -> Centre:
    """Create a centre or change one (its code stays: tickets and exports carry it)."""
    session = acting.session
    code = (values.get("code") or "").strip().upper()
    if centre is None:
        if not (2 <= len(code) <= 10 and code.isascii() and code.isalnum()):
            raise FieldErrors({"code": [_l("2 to 10 Latin letters or digits, e.g. ALM.")]})
        if find_centre(session, code) is not None:
            raise FieldErrors({"code": [_l("A centre with this code already exists.")]})
        centre = Centre(code=code, created_at=acting.now)
        session.add(centre)
    for name in CENTRE_FIELDS:
        setattr(centre, name, " ".join((values.get(name) or "").split()))
    centre.timezone = values["timezone"]
    session.flush()
    audit(acting, "centre-saved", centre, details={"timezone": centre.timezone})
    return centre
