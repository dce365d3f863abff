"""The Kezek application factory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config, config_for


def create_app(config: type[Config] | None = None, overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: bind extensions, register blueprints, commands and error handlers.

    No I/O happens here (no database access, no scheduler start): that is for commands.
    """
    config_class = config or config_for()
    app = Flask(__name__, instance_relative_config=True)
    from app.core.urls import IdConverter

    app.url_map.converters["int"] = IdConverter  # before any route is added
    app.config.from_object(config_class)
    if overrides:
        app.config.update(overrides)
    config_class.check(app.config)
    if app.config["PROXY_HOPS"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_HOPS"], x_proto=app.config["PROXY_HOPS"])

    _init_extensions(app)
    _register_blueprints(app)
    _register_commands(app)
    _register_template_helpers(app)
    _register_message_kinds()
    return app


def _init_extensions(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from app import models  # noqa: F401  (every table into the metadata)
    from app.api import init_api
    from app.auth.privacy import init_privacy
    from app.core import database  # also SQLite connection settings, by importing it
    from app.core.i18n import install_template_gettext, select_locale, select_timezone
    from app.core.security import init_security
    from app.extensions import babel, csrf, db, limiter, login_manager, migrate
    from app.ops.logs import init_logging
    from app.ops.metrics import init_metrics
    from app.ops.timing import init_server_timing

    # First, so that the request id is bound before any other extension's hook runs (the limiter's).
    init_logging(app)
    init_server_timing(app)  # next: its clock starts before any other hook's work
    db.init_app(app)
    database.close_sessions_of_lost_connections(app)
    database.retry_reads_on_lost_connections(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    # Flask-Login's own message is English only; flashed as a string in the reader's language.
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.localize_callback = str
    login_manager.session_protection = "basic"
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    install_template_gettext(app)
    csrf.init_app(app)
    limiter.init_app(app)
    init_api(app)
    init_security(app)
    init_privacy(app)
    init_metrics(app)

    from app.auth.loaders import register_user_loader

    register_user_loader(login_manager)


def _register_blueprints(app: Flask) -> None:
    from app.admin.routes import bp as admin_bp
    from app.appeals.routes import bp as appeals_bp
    from app.appeals.routes import staff_bp as appeals_staff_bp
    from app.auth.routes import bp as auth_bp
    from app.booking.routes import bp as booking_bp
    from app.exam.bank_routes import bp as questions_bp
    from app.exam.routes import bp as exam_bp
    from app.main.routes import bp as main_bp
    from app.notify.routes import bp as notify_bp
    from app.notify.settings_routes import bp as messaging_bp
    from app.notify.telegram_webhook import bp as telegram_bp
    from app.ops.health import bp as ops_bp
    from app.practice.routes import bp as practice_bp
    from app.rounds.routes import bp as rounds_bp
    from app.staff.routes import bp as staff_bp
    from app.stats.routes import bp as stats_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(questions_bp)
    app.register_blueprint(exam_bp)
    app.register_blueprint(practice_bp)
    app.register_blueprint(booking_bp)
    app.register_blueprint(rounds_bp)
    app.register_blueprint(notify_bp)
    app.register_blueprint(telegram_bp)
    app.register_blueprint(messaging_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(appeals_bp)
    app.register_blueprint(appeals_staff_bp)
    app.register_blueprint(ops_bp)
    app.register_blueprint(stats_bp)


def _register_commands(app: Flask) -> None:
    from app.auth.cli import users_cli
    from app.demo.cli import demo_cli
    from app.exam.cli import exam_cli, questions_cli
    from app.jobs.cli import scheduler_cli
    from app.notify.cli import telegram_cli
    from app.rounds.cli import rounds_cli
    from app.staff.cli import bookings_cli, slots_cli
    from app.stats.cli import stats_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(questions_cli)
    app.cli.add_command(exam_cli)
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(slots_cli)
    app.cli.add_command(bookings_cli)
    app.cli.add_command(stats_cli)
    app.cli.add_command(rounds_cli)
    app.cli.add_command(telegram_cli)


def _register_template_helpers(app: Flask) -> None:
    from app.core.templating import register

    register(app)


def _register_message_kinds() -> None:
    """Each feature tells the outbox how its messages read."""
    from app.appeals.messages import register_kinds as appeal_kinds
    from app.auth.messages import register_kinds as account_kinds
    from app.booking.messages import register_kinds as booking_kinds
    from app.rounds.messages import register_kinds as round_kinds

    for register_kinds in (booking_kinds, appeal_kinds, account_kinds, round_kinds):
        register_kinds()
