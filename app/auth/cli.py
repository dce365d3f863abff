"""`flask users create --email E --role R [--centre CODE]`; the password is read from stdin."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.auth import services
from app.auth.models import Role
from app.centres.models import Centre
from app.core.cli import fail_with_field_errors
from app.core.errors import FieldErrors
from app.core.i18n import LANGUAGES
from app.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice([role.value for role in Role]), default=Role.USER.value, show_default=True)
@click.option("--centre", "centre_code", help="Exam centre code (required for staff).")
@click.option("--full-name", default=None, help="Defaults to the e-mail's name part.")
@click.option("--iin", required=True, help="The person's 12-digit IIN.")
@click.option("--phone", default=None)
@click.option("--lang", type=click.Choice(LANGUAGES), default=None)
def create_user(email, role, centre_code, full_name, iin, phone, lang):
    """Create a user. The password is read from standard input (one line)."""
    password = sys.stdin.readline().rstrip("\n")
    centre = None
    if centre_code:
        centre = db.session.scalar(select(Centre).where(Centre.code == centre_code.upper()))
        if centre is None:
            raise click.ClickException(f"no centre with code {centre_code!r}")
    try:
        user = services.register_user(
            db.session,
            services.Registration(
                email=email,
                password=password,
                full_name=full_name or email.split("@")[0],
                iin=iin,
                phone=phone,
                language=lang,
            ),
            role=Role(role),
            centre=centre,
        )
    except FieldErrors as error:
        fail_with_field_errors(error)
    db.session.commit()
    click.echo(f"created {user.role} {user.email} (id {user.id})")
