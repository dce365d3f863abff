"""POST /auth/register (confirmed by e-mail), POST /auth/token, DELETE /auth/token."""

from __future__ import annotations

from flask import current_app, make_response
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from app.auth import services, signup, throttle
from app.auth.tokens import bearer_required, bearer_token
from app.core.clock import utcnow
from app.core.i18n import LANGUAGES, current_language
from app.extensions import db, limiter

blp = Blueprint("api_auth", __name__, url_prefix="/auth", description="Accounts and bearer tokens")


class RegisterSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=200))
    full_name = fields.String(required=True, validate=validate.Length(max=200))
    iin = fields.String(required=True, validate=validate.Length(max=12))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))
    lang = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(LANGUAGES))


class RegistrationAcceptedSchema(Schema):
    status = fields.String(metadata={"description": "`pending`: the registration waits for its e-mail link"})
    detail = fields.String(metadata={"description": "What to do next, in the request's language"})


class CredentialsSchema(Schema):
    email = fields.String(required=True)
    password = fields.String(required=True, load_only=True)


class TokenSchema(Schema):
    token = fields.String()
    expires_at = fields.DateTime()


def _token_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _register_limit() -> str:
    return current_app.config["REGISTER_RATE_LIMIT"]


@blp.route("/register")
class Register(MethodView):
    decorators = [limiter.limit(_register_limit)]

    @blp.arguments(RegisterSchema)
    @blp.response(202, RegistrationAcceptedSchema)
    @blp.alt_response(422, description="Field errors: a bad IIN checksum, a weak password, a malformed e-mail …")
    def post(self, data):
        """Register a learner/applicant account, to be confirmed by e-mail.

        Whether the e-mail or the IIN already has an account or not, valid fields get the same 202
        and body: what happens next is said only to the mailbox given (a link that opens the
        account, or why it cannot be opened), so the answer tells nobody who has an account."""
        # FieldErrors reach the client as problem+json 422; the session is rolled back at teardown.
        signup.start(
            db.session,
            services.Registration(
                email=data["email"],
                password=data["password"],
                full_name=data["full_name"],
                iin=data["iin"],
                phone=data["phone"],
                language=data["lang"],
            ),
            language=data["lang"] or current_language(),
            now=utcnow(),
        )
        db.session.commit()
        return {"status": "pending", "detail": _("Check your e-mail to finish your registration.")}


@blp.route("/token")
class Token(MethodView):
    decorators = [limiter.limit(_token_limit, methods=["POST"])]

    @blp.arguments(CredentialsSchema)
    @blp.response(200, TokenSchema)
    @blp.alt_response(401, description="Wrong e-mail or password")
    @blp.alt_response(429, description="`account-locked`: too many failed sign-ins of this account (known or not)")
    def post(self, data):
        """Exchange e-mail and password for a bearer token."""
        user = throttle.sign_in(db.session, data["email"], data["password"])  # SignInThrottled: 429
        if user is None:
            abort(401, message="Wrong e-mail or password.")
        token, record = services.issue_token(db.session, user, current_app.config["API_TOKEN_TTL_SECONDS"])
        db.session.commit()
        # Clients that keep cookies get past a lock on their account like a browser does.
        response = make_response(TokenSchema().dump({"token": token, "expires_at": record.expires_at}))
        return throttle.remember_device(response, user)

    @blp.response(204)
    @bearer_required
    def delete(self):
        """Revoke the token used for this request."""
        services.revoke_token(db.session, bearer_token())
        db.session.commit()
