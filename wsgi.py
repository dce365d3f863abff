"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

import click

from app import create_app

app = create_app()


def _serving_with_flask_run() -> bool:
    """True only inside `flask run` (the development server), never under gunicorn or another command."""
    context = click.get_current_context(silent=True)
    return (
        context is not None
        and context.info_name == "run"
        and context.parent is not None
        and context.parent.parent is None
    )


# `make run` embeds the scheduler in the development server (KEZEK_SCHEDULER=embedded). Gunicorn
# workers never start it: production runs `flask scheduler run` as its own process.
if app.config["SCHEDULER"] == "embedded" and _serving_with_flask_run():
    from app.jobs.scheduler import start_embedded

    start_embedded(app)
