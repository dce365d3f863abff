"""The person's channels, from the profile page: Telegram (link with a QR code, unlink), WhatsApp
(opt in with the confirmed phone, opt out) and the channels per kind of message."""

from __future__ import annotations

import segno
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.clock import utcnow
from app.extensions import db
from app.notify import channels, kinds, telegram_links

bp = Blueprint("messaging", __name__, url_prefix="/account")


def overview(user) -> dict:
    """What the profile page shows of the person's channels."""
    settings = channels.settings_for(db.session, user.id)
    return {
        "telegram_on": bool(current_app.config.get("TELEGRAM_BOT_TOKEN")),
        "telegram_linked": settings is not None and settings.telegram_chat_id is not None,
        "whatsapp_on": bool(current_app.config.get("WHATSAPP_TOKEN")),
        "whatsapp_opted_in": settings is not None and settings.whatsapp_opt_in_at is not None,
        "phone_confirmed": bool(user.phone) and user.phone_confirmed_at is not None,
        "topics": channels.TOPICS,
        "groups": channels.grouped(),
        "channel_names": channels.NAMES,
        "chosen": channels.shown(settings),
    }


@bp.post("/telegram/link")
@login_required
def telegram_link():
    if not current_app.config.get("TELEGRAM_BOT_TOKEN"):
        flash(_("Telegram is not set up on this server."), "error")
        return redirect(url_for("auth.profile"))
    url, expires_at = telegram_links.new_link(db.session, current_user.id, utcnow())
    db.session.commit()
    qr = segno.make(url, error="m").svg_inline(scale=5, title=_("QR code of the link to the Kezek bot"))
    return render_template("notify/telegram_link.html", url=url, expires_at=expires_at, qr=qr)


@bp.post("/telegram/unlink")
@login_required
def telegram_unlink():
    telegram_links.unlink_user(db.session, current_user.id)
    db.session.commit()
    flash(_("Telegram is unlinked."), "info")
    return redirect(url_for("auth.profile", _anchor="channels-title"))


@bp.post("/whatsapp")
@login_required
def whatsapp():
    settings = channels.settings_or_new(db.session, current_user.id)
    if request.form.get("opt_in") == "1":
        if not (current_user.phone and current_user.phone_confirmed_at):
            flash(_("Confirm your phone number first."), "error")
            return redirect(url_for("auth.profile", _anchor="phone-title"))
        settings.whatsapp_opt_in_at = utcnow()
        flash(_("Kezek messages will come to your WhatsApp."), "success")
    else:
        settings.whatsapp_opt_in_at = None
        flash(_("No more WhatsApp messages."), "info")
    db.session.commit()
    return redirect(url_for("auth.profile", _anchor="channels-title"))


@bp.post("/channels")
@login_required
def choose_channels():
    # A kind with no box ticked is absent from the form: it is stored with no channel.
    chosen = {key: request.form.getlist(key) for key in kinds.choosable()}
    channels.choose(db.session, current_user.id, chosen)
    db.session.commit()
    flash(_("Your choice of channels is saved."), "success")
    return redirect(url_for("auth.profile", _anchor="channels-title"))
