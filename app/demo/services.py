"""Loading the demo data, idempotently (run it as often as you like)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import services as auth_services
from app.auth.iin import make_iin
from app.auth.models import Role, User
from app.booking.models import Centre
from app.demo.data import ACCOUNTS, CENTRES, DEMO_PASSWORD


@dataclass
class SeedSummary:
    centres_created: int = 0
    users_created: int = 0


def seed(session: Session) -> SeedSummary:
    summary = SeedSummary()
    centres = {centre.code: centre for centre in session.scalars(select(Centre))}
    for values in CENTRES:
        if values["code"] not in centres:
            centre = Centre(**values)
            session.add(centre)
            centres[centre.code] = centre
            summary.centres_created += 1
    session.flush()
    existing = set(session.scalars(select(User.email)))
    for email, role, centre_code, full_name, birth, sex, serial, language in ACCOUNTS:
        if email in existing:
            continue
        auth_services.register_user(
            session,
            auth_services.Registration(
                email=email,
                password=DEMO_PASSWORD,
                full_name=full_name,
                iin=make_iin(birth, sex, serial),
                language=language,
            ),
            role=Role(role),
            centre=centres.get(centre_code) if centre_code else None,
        )
        summary.users_created += 1
    return summary
