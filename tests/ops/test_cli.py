"""`flask users create` and `flask demo seed`."""

import sqlalchemy as sa

from app.auth.models import User
from app.centres.models import Centre
from app.demo.data import ACCOUNTS, CENTRES
from app.demo.history import HISTORY_DOMAIN
from app.extensions import db


def test_users_create_reads_password_from_stdin(app, runner, centre):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Staff@Example.kz",
            "--role",
            "staff",
            "--centre",
            "alm",
            "--iin",
            "900101300017",
            "--full-name",
            "Ерлан Ахметов",
        ],
        input="a-long-secret-77\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert (user.email, user.role, user.centre.code) == ("staff@example.kz", "staff", "ALM")
        assert "a-long-secret-77" not in result.output


def test_users_create_reports_every_problem(app, runner):
    result = runner.invoke(
        args=["users", "create", "--email", "x@example.kz", "--role", "staff", "--iin", "900101300018"],
        input="weak\n",
    )
    assert result.exit_code == 1
    for field in ("iin:", "password:", "centre:"):
        assert field in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_users_create_unknown_centre(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "x@example.kz",
            "--role",
            "staff",
            "--centre",
            "NOPE",
            "--iin",
            "900101300017",
        ],
        input="a-long-secret-77\n",
    )
    assert result.exit_code != 0
    assert "no centre" in result.output


def test_demo_seed_is_idempotent(app, runner):
    first = runner.invoke(args=["demo", "seed"])
    second = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    # Progress on standard error, one summary line on standard output.
    assert all(step in first.stderr for step in ("Demo centres", "Demo accounts", "Demo exam slots"))
    (summary,) = second.stdout.strip().splitlines()
    assert summary.startswith("demo data: 0 centres and 0 accounts created")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Centre)) == len(CENTRES)
        assert len({centre.city_en for centre in db.session.scalars(sa.select(Centre))}) >= 3
        roles = set(db.session.scalars(sa.select(User.role)))
        assert roles == {"user", "staff", "admin"}
        # The demo accounts and the exam day's 8 examinees (made once), besides the past applicants
        # of the statistics' history (accounts nobody signs in with).
        people = sa.select(sa.func.count()).select_from(User).where(User.email.not_like(f"%@{HISTORY_DOMAIN}"))
        assert db.session.scalar(people) == len(ACCOUNTS) + 8


def test_demo_accounts_can_sign_in(app, runner, auth):
    from app.demo.data import DEMO_PASSWORD

    runner.invoke(args=["demo", "seed"])
    for email, *_ in ACCOUNTS:
        assert auth.login(email, DEMO_PASSWORD).status_code == 302
        auth.logout()


def test_demo_seed_refuses_in_production():
    from app import create_app
    from config import ProductionConfig

    app = create_app(
        ProductionConfig,
        {
            "SECRET_KEY": "x" * 40,
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
        },
    )
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code != 0
    assert "refusing" in result.output
