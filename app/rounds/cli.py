"""`flask rounds create|draw|verify`: announce a round, draw it (once, however many run it),
recompute a draw from its published data (exit status 0 when it matches)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime

import click
from flask import current_app
from flask.cli import AppGroup

from app.booking.eligibility import Policy
from app.centres.services import find_centre
from app.core.clock import utcnow
from app.core.errors import DomainError, FieldErrors
from app.extensions import db
from app.rounds import announcing, verifying
from app.rounds.jobs import draw_one

rounds_cli = AppGroup("rounds", help="Fair-release rounds: announce, draw, verify.")


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise click.BadParameter(f"{text}: give the offset, e.g. 2026-12-07T10:00+05:00")
    return moment.astimezone(UTC)


def _fail(error: DomainError) -> None:
    db.session.rollback()
    detail = error.errors if isinstance(error, FieldErrors) else ""
    click.echo(f"refused ({error.code}): {error.message} {detail}".strip(), err=True)
    sys.exit(1)


@rounds_cli.command("create")
@click.option("--centre", "centre_code", required=True)
@click.option("--exam", type=click.Choice(["theory", "practical"]), required=True)
@click.option("--category", required=True)
@click.option("--from", "first_day", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--to", "last_day", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--opens-at", required=True, help="ISO 8601 with offset")
@click.option("--draw-at", default=None, help="ISO 8601 with offset (default: 30 minutes after opening)")
def create(centre_code, exam, category, first_day, last_day, opens_at, draw_at):  # noqa: PLR0913
    """Announce a round over the centre's slots of that period (the centre's days)."""
    centre = find_centre(db.session, centre_code)
    if centre is None:
        raise click.BadParameter(f"no centre {centre_code}")
    plan = announcing.RoundPlan(
        exam,
        category,
        date.fromordinal(first_day.toordinal()),
        date.fromordinal(last_day.toordinal()),
        _moment(opens_at),
        _moment(draw_at) if draw_at else None,
    )
    try:
        release = announcing.announce(db.session, centre, plan, utcnow())
    except DomainError as error:
        _fail(error)
    db.session.commit()
    figures = announcing.figures(db.session, release)
    click.echo(f"round {release.id}: {figures.places} places, seed sha256 {release.seed_sha256}")


@rounds_cli.command("draw")
@click.argument("round_id", type=int)
def draw_command(round_id):
    """Draw the round now if it is due (a round already drawn is left as it is)."""
    policy = Policy.from_config(current_app.config)
    try:
        summary = draw_one(db.session, round_id, utcnow(), policy)
    except DomainError as error:
        _fail(error)
    if summary is None:
        click.echo(f"round {round_id} was drawn (or cancelled) already")
        return
    click.echo(
        f"round {round_id} drawn: {summary.won} won, {summary.lost} lost, {summary.ineligible} ineligible, "
        f"{summary.leftover} places left over"
    )


@rounds_cli.command("verify")
@click.argument("round_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the published data too")
def verify_command(round_id, as_json):
    """Recompute the draw from its published data; exit 0 when it matches, 1 when not."""
    try:
        release = announcing.find_round(db.session, round_id)
    except DomainError as error:
        _fail(error)
    data = verifying.published(db.session, release)
    if as_json:
        click.echo(json.dumps(data, indent=2))
    result = verifying.verify(data)
    if result.matches:
        click.echo(f"round {round_id}: the published draw matches ({len(data['requests'])} requests)")
        return
    for problem in result.problems:
        click.echo(problem, err=True)
    click.echo(f"round {round_id}: the published draw does NOT match", err=True)
    sys.exit(1)
