"""`flask stats rebuild`: recompute the public statistics now (the nightly job does the same)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.core.clock import utcnow
from app.extensions import db
from app.stats.rebuild import rebuild_for_app

stats_cli = AppGroup("stats", help="Open statistics per exam centre.")


@stats_cli.command("rebuild")
def rebuild_command():
    """Recompute the summary tables from bookings, results, slots and closures."""
    summary = rebuild_for_app(db.session, utcnow(), current_app.config)
    db.session.commit()
    click.echo(f"{summary.cells} statistics rows and {summary.closure_months} closure months rebuilt")
