"""`flask slots generate --days N`: materialise slots from the weekly templates (idempotent)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.booking.models import Centre
from app.booking.services import find_centre
from app.core.cli import progress
from app.core.clock import utcnow
from app.extensions import db
from app.staff import services
from app.staff.models import SlotTemplate

slots_cli = AppGroup("slots", help="Exam slots of the centres.")


@slots_cli.command("generate")
@click.option("--days", type=click.IntRange(1, 366), default=services.DEFAULT_HORIZON_DAYS, show_default=True)
@click.option("--centre", "centre_code", help="Only this centre (default: every centre).")
def generate(days: int, centre_code: str | None):
    """Create the slots the weekly templates give over the next N days, skipping Kazakhstan's public
    holidays and the centres' closures. Existing slots are left alone: safe to run again."""
    if centre_code:
        centre = find_centre(db.session, centre_code)
        if centre is None:
            raise click.ClickException(f"no centre with code {centre_code!r}")
        centres = [centre]
    else:
        centres = db.session.scalars(
            select(Centre).where(Centre.id.in_(select(SlotTemplate.centre_id))).order_by(Centre.code)
        ).all()
    now, added = utcnow(), 0
    with progress(centres, "Generating slots", show=lambda centre: centre.code if centre else None) as bar:
        for centre in bar:
            added += services.generate_slots(db.session, now, days, centre)
    db.session.commit()
    click.echo(f"{added} slots added over the next {days} days")
