"""`flask questions validate [PATH]` and `flask questions import [PATH]`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.core.clock import utcnow
from app.exam import bank as bank_files
from app.exam.importing import import_bank
from app.extensions import db

questions_cli = AppGroup("questions", help="The question bank.")


def _bank_path(path: str | None) -> str:
    return path or current_app.config["QUESTION_BANK_PATH"]


def _validated(path: str) -> bank_files.Report:
    report = bank_files.validate(path)
    for problem in report.problems:
        click.echo(str(problem))
    return report


@questions_cli.command("validate")
@click.argument("path", required=False)
def validate_command(path):
    """Check the bank; one line per problem, a summary last; non-zero exit on problems."""
    report = _validated(_bank_path(path))
    click.echo(report.summary())
    if not report.ok:
        raise SystemExit(1)


@questions_cli.command("import")
@click.argument("path", required=False)
def import_command(path):
    """Upsert the bank into the database (only when it validates)."""
    report = _validated(_bank_path(path))
    if not report.ok:
        click.echo(f"{len(report.problems)} problems: nothing imported", err=True)
        raise SystemExit(1)
    summary = import_bank(db.session, report.bank, utcnow())
    db.session.commit()
    click.echo(f"{report.summary()}; {summary}")
