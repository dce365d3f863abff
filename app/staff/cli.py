"""`flask slots generate --days N`: materialise slots from the weekly templates (idempotent);
`flask bookings export --centre CODE`: a centre's bookings as the staff dashboard's CSV."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.centres.models import Centre
from app.centres.services import find_centre
from app.core.cli import output_file, progress
from app.core.clock import utcnow
from app.core.ranges import is_supported, supported_days
from app.extensions import db
from app.staff import exports, oversight, schedule
from app.staff.models import SlotTemplate

slots_cli = AppGroup("slots", help="Exam slots of the centres.")
bookings_cli = AppGroup("bookings", help="Bookings of the centres.")


def _centre(code: str) -> Centre:
    centre = find_centre(db.session, code)
    if centre is None:
        raise click.ClickException(f"no centre with code {code!r}")
    return centre


@slots_cli.command("generate")
@click.option("--days", type=click.IntRange(1, 366), default=schedule.DEFAULT_HORIZON_DAYS, show_default=True)
@click.option("--centre", "centre_code", help="Only this centre (default: every centre).")
def generate(days: int, centre_code: str | None):
    """Create the slots the weekly templates give over the next N days, skipping Kazakhstan's public
    holidays and the centres' closures. Existing slots are left alone: safe to run again."""
    if centre_code:
        centres = [_centre(centre_code)]
    else:
        centres = db.session.scalars(
            select(Centre).where(Centre.id.in_(select(SlotTemplate.centre_id))).order_by(Centre.code)
        ).all()
    now, added = utcnow(), 0
    with progress(centres, "Generating slots", show=lambda centre: centre.code if centre else None) as bar:
        for centre in bar:
            added += schedule.generate_slots(db.session, now, days, centre)
    db.session.commit()
    click.echo(f"{added} slots added over the next {days} days")


def _day(option: str, value: str | None, default: date) -> date:
    # Parsed here rather than by a click type: a bad date is one line of error, not a usage screen.
    if value is None:
        return default
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise click.ClickException(f"{option} {value!r} is not a date (YYYY-MM-DD)") from None
    if not is_supported(day):
        first, last = supported_days()
        raise click.ClickException(f"{option} {value!r} is outside {first} … {last}")
    return day


@bookings_cli.command("export")
@click.option("--centre", "centre_code", required=True, help="The centre's code, e.g. ALM.")
@click.option("--from", "first_day", metavar="DATE", help="First exam day (default: two weeks ago).")
@click.option("--to", "last_day", metavar="DATE", help="Last exam day (default: in 13 days).")
@click.option(
    "--output",
    metavar="FILE",
    help="Where to write the CSV; - for standard output (default: the staff download's file name, here).",
)
def export(centre_code: str, first_day: str | None, last_day: str | None, output: str | None):
    """Write every booking of the centre's exams in the period (held, cancelled … too) as the CSV of
    the staff dashboard: IINs masked, cells never read as formulas. Exam days are the centre's."""
    centre = _centre(centre_code)
    default_first, default_last = oversight.default_period(centre.local(utcnow()).date())
    first, last = _day("--from", first_day, default_first), _day("--to", last_day, default_last)
    if last < first:
        raise click.ClickException(f"--to {last} is before --from {first}")
    output = output or exports.bookings_filename(centre, first, last)
    total = oversight.count_period_bookings(db.session, centre, first, last)
    to_stdout = output == "-"
    with oversight.stream_period_bookings(db.session, centre, first, last) as bookings, output_file(output) as out:
        if not to_stdout:  # a file goes to spreadsheet programs; a pipe goes to programs that want plain UTF-8
            out.write(exports.BYTE_ORDER_MARK)
        with progress(bookings, "Exporting bookings", length=total) as bar:
            written = exports.write_bookings_csv(out, bar, centre.zone)
    # With the CSV on standard output, the summary must not end up inside it.
    click.echo(f"{written} bookings exported to {'standard output' if to_stdout else output}", err=to_stdout)
