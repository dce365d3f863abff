"""`flask scheduler run` (the scheduler's own process) and `flask scheduler run-job ID`."""

from __future__ import annotations

import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup

from app.jobs import tasks
from app.jobs.scheduler import run_scheduler

scheduler_cli = AppGroup("scheduler", help="Background jobs.")


@scheduler_cli.command("run")
def run_command():
    """Run the scheduler until stopped (SIGTERM/SIGINT). Safe to start twice: one leads."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    click.echo("scheduler started")
    run_scheduler(current_app._get_current_object(), stop)
    click.echo("scheduler stopped")


@scheduler_cli.command("run-job")
@click.argument("job_id", type=click.Choice(sorted(tasks.JOBS)))
def run_job_command(job_id):
    """Run one job now, once (operators; tests)."""
    click.echo(f"{job_id}: {tasks.run_in_context(job_id)}")
