"""`flask telegram set-webhook`: tell Telegram where to send the bot's updates."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.notify.senders import DeliveryError
from app.notify.telegram import bot_api_from_config

telegram_cli = AppGroup("telegram", help="The Telegram bot.")


@telegram_cli.command("set-webhook")
@click.option("--url", default=None, help="Default: KEZEK_BASE_URL + /telegram/webhook")
def set_webhook(url: str | None) -> None:
    """Register /telegram/webhook with the Bot API, with TELEGRAM_WEBHOOK_SECRET as its secret."""
    config = current_app.config
    api = bot_api_from_config(config)
    if api is None or not config.get("TELEGRAM_WEBHOOK_SECRET"):
        raise click.ClickException("Set TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET first.")
    url = url or config["BASE_URL"].rstrip("/") + "/telegram/webhook"
    try:
        api.call(
            "setWebhook",
            {
                "url": url,
                "secret_token": config["TELEGRAM_WEBHOOK_SECRET"],
                "allowed_updates": ["message", "callback_query"],
                "drop_pending_updates": False,
            },
        )
    except DeliveryError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Webhook set: {url}")
