"""`flask questions validate|coverage|import [PATH]` and `flask exam profile-set CODE ...`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.core.cli import fail_with_field_errors, track
from app.core.clock import utcnow
from app.core.errors import FieldErrors
from app.exam import bank_validation
from app.exam import coverage as bank_coverage
from app.exam.importing import import_bank
from app.exam.models import ExamProfile
from app.exam.profiles import update_profile
from app.extensions import db

questions_cli = AppGroup("questions", help="The question bank.")
exam_cli = AppGroup("exam", help="Exam profiles.")


def _bank_path(path: str | None) -> str:
    return path or current_app.config["QUESTION_BANK_PATH"]


def _validated(path: str) -> bank_validation.Report:
    report = bank_validation.validate(path)
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


@questions_cli.command("coverage")
@click.argument("path", required=False)
def coverage_command(path):
    """Questions per chapter of the Rules, group of signs and markings, and other source; non-zero exit when a
    chapter has fewer than 3 questions or fewer than half its share by points."""
    path = _bank_path(path)
    report = bank_validation.validate(path)
    result = bank_coverage.measure(report.bank, path)
    for line in result.lines():
        click.echo(line)
    if not result.ok:
        raise SystemExit(1)


@questions_cli.command("import")
@click.argument("path", required=False)
def import_command(path):
    """Upsert the bank into the database (only when it validates)."""
    report = _validated(_bank_path(path))
    if not report.ok:
        click.echo(f"{len(report.problems)} problems: nothing imported", err=True)
        raise SystemExit(1)
    summary = import_bank(db.session, report.bank, utcnow(), track)
    db.session.commit()
    click.echo(f"{report.summary()}; {summary}")


def _quota(ctx, param, values):
    quotas = {}
    for value in values:
        topic, _, count = value.partition("=")
        if not topic or not count.isdigit():
            raise click.BadParameter(f"{value!r}: use TOPIC=N")
        quotas[topic] = int(count)
    return quotas


@exam_cli.command("profile-set")
@click.argument("code")
@click.option("--seconds", type=int)
@click.option("--questions", type=int)
@click.option("--pass-mark", type=int)
@click.option("--quota", "quotas", multiple=True, callback=_quota, help="TOPIC=N; changes that topic's quota.")
def profile_set(code, seconds, questions, pass_mark, quotas):
    """Change an exam profile's time, size, pass mark or topic quotas."""
    profile = db.session.scalar(select(ExamProfile).where(ExamProfile.code == code))
    if profile is None:
        raise click.ClickException(f"no exam profile {code!r}")
    try:
        update_profile(
            db.session,
            profile,
            seconds=seconds,
            questions=questions,
            pass_mark=pass_mark,
            quotas={**profile.quotas, **quotas} if quotas else None,
        )
    except FieldErrors as error:
        fail_with_field_errors(error)
    db.session.commit()
    click.echo(f"{profile.code}: {profile.questions} questions, {profile.seconds} s, pass mark {profile.pass_mark}")
