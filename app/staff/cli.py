"""`flask slots generate --days N`: materialise slots from the weekly templates (idempotent)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.booking.services import find_centre
from app.core.clock import utcnow
from app.extensions import db
from app.staff import services

slots_cli = AppGroup("slots", help="Exam slots of the centres.")


@slots_cli.command("generate")
@click.option("--days", type=click.IntRange(1, 366), default=services.DEFAULT_HORIZON_DAYS, show_default=True)
@click.option("--centre", "centre_code", help="Only this centre (default: every centre).")
def generate(days: int, centre_code: str | None):
    """Create the slots the weekly templates give over the next N days, skipping Kazakhstan's public
    holidays and the centres' closures. Existing slots are left alone: safe to run again."""
    centre = None
    if centre_code:
        centre = find_centre(db.session, centre_code)
        if centre is None:
            raise click.ClickException(f"no centre with code {centre_code!r}")
    added = services.generate_slots(db.session, utcnow(), days, centre)
    db.session.commit()
    click.echo(f"{added} slots added over the next {days} days")
