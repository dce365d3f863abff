"""`flask demo seed`: idempotent demo data; refuses in production."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.core.cli import track
from app.demo import services
from app.extensions import db

demo_cli = AppGroup("demo", help="Demo data for development.")


@demo_cli.command("seed")
def seed():
    """Create (or complete) the demo centres, one account per role, 4 weeks of exam slots and the staff
    centre's bookings for today and tomorrow."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("refusing to load demo data in production")
    summary = services.seed(db.session, track)
    db.session.commit()
    click.echo(
        f"demo data: {summary.centres_created} centres and {summary.users_created} accounts created, "
        f"{summary.slots_created} exam slots added, {summary.exam_day_bookings} exam-day bookings made, "
        "rest unchanged"
    )
