"""The person's own messaging settings: POST /me/phone/verify, POST /me/phone/confirm,
POST /me/telegram/link (and DELETE to unlink), GET/PUT /me/channels."""

from __future__ import annotations

from flask import current_app, g
from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate

from app.auth import phone
from app.auth.access import per_person_key
from app.auth.tokens import bearer_required
from app.core.clock import utcnow
from app.core.errors import DomainError
from app.extensions import db, limiter
from app.notify import channels, kinds, telegram_links

blp = Blueprint("api_me", __name__, url_prefix="/me", description="The person's phone and messenger links")


class PhoneSchema(Schema):
    phone = fields.String(required=True, validate=validate.Length(max=20))


class CodeSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(max=10))


class PhoneStateSchema(Schema):
    phone = fields.String(allow_none=True, metadata={"description": "+7XXXXXXXXXX"})
    confirmed = fields.Boolean()
    code_expires_at = fields.DateTime(allow_none=True)


def _phone_code_limit() -> str:
    return current_app.config["PHONE_CODE_RATE_LIMIT"]


@blp.route("/phone/verify")
class PhoneVerify(MethodView):
    decorators = [limiter.limit(_phone_code_limit, key_func=per_person_key)]

    @bearer_required
    @blp.arguments(PhoneSchema)
    @blp.response(200, PhoneStateSchema)
    @blp.alt_response(422, description="`validation-error`: not a Kazakhstan phone number")
    @blp.alt_response(429, description="`rate-limited`: too many codes asked for")
    def post(self, data):
        """Send a one-time code by SMS to the number (it becomes the account's once confirmed)."""
        user = g.api_user
        record = phone.send_code(db.session, user, data["phone"], utcnow())
        db.session.commit()
        return {"phone": record.phone, "confirmed": False, "code_expires_at": record.expires_at}


@blp.route("/phone/confirm")
class PhoneConfirm(MethodView):
    @bearer_required
    @blp.arguments(CodeSchema)
    @blp.response(200, PhoneStateSchema)
    @blp.alt_response(
        422,
        description="`phone-code-invalid`: wrong code; `phone-code-expired`: expired or too many tries;"
        " `phone-code-missing`: no code asked for",
    )
    def post(self, data):
        """Confirm the number with the code from the SMS."""
        user = g.api_user
        try:
            phone.confirm_code(db.session, user, data["code"], utcnow())
        except phone.CodeRefused:
            db.session.commit()  # the wrong attempt counts
            raise
        db.session.commit()
        return {"phone": user.phone, "confirmed": True, "code_expires_at": None}


class TelegramLinkSchema(Schema):
    url = fields.String(metadata={"description": "https://t.me/<bot>?start=<token>: single use"})
    expires_at = fields.DateTime()


@blp.route("/telegram/link")
class TelegramLink(MethodView):
    decorators = [limiter.limit(_phone_code_limit, key_func=per_person_key, methods=["POST"])]

    @bearer_required
    @blp.response(200, TelegramLinkSchema)
    @blp.alt_response(409, description="`telegram-off`: Telegram is not set up on this server")
    def post(self):
        """A link that binds the Telegram chat opening it to this account (once, for 15 minutes)."""
        if not current_app.config.get("TELEGRAM_BOT_TOKEN"):
            raise DomainError(_l("Telegram is not set up on this server."), code="telegram-off")
        url, expires_at = telegram_links.new_link(db.session, g.api_user.id, utcnow())
        db.session.commit()
        return {"url": url, "expires_at": expires_at}

    @bearer_required
    @blp.response(204)
    def delete(self):
        """Unlink the account's Telegram chat."""
        telegram_links.unlink_user(db.session, g.api_user.id)
        db.session.commit()


def _known_kind(key: str) -> None:
    # A topic ("reminders", "important", "other") is still taken: it stands for each of its kinds.
    if key not in kinds.choosable() and key not in channels.TOPICS:
        raise ValidationError("Not a kind of message one chooses channels for.")


class KindSchema(Schema):
    key = fields.String(metadata={"description": "The key `choices` uses, e.g. reminder-2h"})
    topic = fields.String(metadata={"description": "reminders, important or other"})
    label = fields.String(metadata={"description": "Its name in the person's language"})


class ChannelsSchema(Schema):
    choices = fields.Dict(
        keys=fields.String(validate=_known_kind),
        values=fields.List(fields.String(validate=validate.OneOf(channels.ALL))),
        required=True,
        metadata={
            "description": "Channels per kind of message (see `kinds`); a topic key (reminders, important, "
            "other) sets each of its kinds not given by key. A kind left out gets no channel (e-mail as a "
            "last resort)."
        },
    )
    kinds = fields.List(fields.Nested(KindSchema), dump_only=True)
    telegram_linked = fields.Boolean(dump_only=True)
    whatsapp_opted_in = fields.Boolean(dump_only=True)


def _channels_state(user_id: int) -> dict:
    settings = channels.settings_for(db.session, user_id)
    return {
        "choices": channels.shown(settings),
        "kinds": [
            {"key": key, "topic": kind.topic, "label": str(kind.label)} for key, kind in kinds.choosable().items()
        ],
        "telegram_linked": settings is not None and settings.telegram_chat_id is not None,
        "whatsapp_opted_in": settings is not None and settings.whatsapp_opt_in_at is not None,
    }


@blp.route("/channels")
class Channels(MethodView):
    @bearer_required
    @blp.response(200, ChannelsSchema)
    def get(self):
        """The channels each kind of message goes by (the defaults until chosen), and the links."""
        return _channels_state(g.api_user.id)

    @bearer_required
    @blp.arguments(ChannelsSchema)
    @blp.response(200, ChannelsSchema)
    def put(self, data):
        """Choose the channels per kind (a kind left out keeps none but e-mail as a last resort)."""
        channels.choose(db.session, g.api_user.id, data["choices"])
        db.session.commit()
        return _channels_state(g.api_user.id)
