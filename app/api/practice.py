"""Practice anywhere: packs for offline practice, answers synced from devices, the FSRS review
queue and progress (docs/practice.md).

The pack is public (signed-out learners practise offline too). The rest needs a learner: a bearer
token, or the site's session cookie — then a POST must carry the page's CSRF token in the
`X-CSRFToken` header, as the blueprint is exempt from the form-based check that bearer clients
cannot pass."""

from __future__ import annotations

from functools import wraps

from flask import current_app, g, request, url_for
from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import Blueprint, abort
from flask_wtf.csrf import generate_csrf, validate_csrf
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from wtforms import ValidationError as TokenError

from app.auth.tokens import BEARER_SECURITY, bearer_token, request_user
from app.core.clock import utcnow
from app.core.errors import DomainError
from app.core.i18n import LANGUAGES
from app.core.urls import MAX_ID
from app.extensions import db
from app.practice import packs, progress, syncing

blp = Blueprint("api_practice", __name__, url_prefix="/practice", description="Practice anywhere (offline packs)")

COOKIE_OR_BEARER = [*BEARER_SECURITY, {"sessionCookie": []}]


def learner_required(view):
    """`g.api_user` from a bearer token or the session cookie (a POST by cookie needs X-CSRFToken)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        user = request_user() if bearer_token() else None
        if user is None and current_user.is_authenticated:
            if request.method == "POST":
                try:
                    validate_csrf(request.headers.get("X-CSRFToken", ""))
                except TokenError as error:
                    raise DomainError(
                        _l("The page expired. Reload it and try again."), code="csrf-failed", status=400
                    ) from error
            user = current_user._get_current_object()
        if user is None:
            abort(401, message="Sign in, or send a valid bearer token.")
        g.api_user = user
        return view(*args, **kwargs)

    return Blueprint.doc(security=COOKIE_OR_BEARER)(wrapped)


class PackArgs(Schema):
    lang = fields.String(required=True, validate=validate.OneOf(LANGUAGES))
    category = fields.String(required=True, validate=validate.Length(min=1, max=3))


class CategoryArgs(Schema):
    category = fields.String(load_default="B", validate=validate.Length(min=1, max=3))


class PackOptionSchema(Schema):
    id = fields.Integer()
    text = fields.String()
    correct = fields.Boolean()


class PackQuestionSchema(Schema):
    id = fields.Integer()
    topic = fields.String()
    text = fields.String()
    image_url = fields.String(allow_none=True)
    image_alt = fields.String(allow_none=True)
    options = fields.List(fields.Nested(PackOptionSchema))
    explanation = fields.String()
    reference = fields.String()
    reference_url = fields.String(allow_none=True)


class PackTopicSchema(Schema):
    code = fields.String()
    name = fields.String()


class PackSchema(Schema):
    version = fields.String()
    lang = fields.String()
    category = fields.String()
    topics = fields.List(fields.Nested(PackTopicSchema))
    questions = fields.List(fields.Nested(PackQuestionSchema))


class DeviceAnswerSchema(Schema):
    client_id = fields.UUID(required=True)
    question_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_ID))
    option_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_ID))
    answered_at = fields.AwareDateTime(required=True, default_timezone=None)
    seconds = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(min=0, max=86400))


class AnswerBatchSchema(Schema):
    answers = fields.List(fields.Nested(DeviceAnswerSchema), required=True)

    @validates_schema
    def small_enough(self, data, **kwargs):
        if len(data["answers"]) > current_app.config["PRACTICE_BATCH_LIMIT"]:
            raise ValidationError(
                _l("Send at most %(n)s answers at once.", n=current_app.config["PRACTICE_BATCH_LIMIT"])
            )


class RejectedSchema(Schema):
    client_id = fields.String()
    code = fields.String()


class SyncResultSchema(Schema):
    stored = fields.List(fields.String(), metadata={"description": "client_ids stored by this request"})
    already_stored = fields.List(fields.String(), metadata={"description": "client_ids stored before"})
    rejected = fields.List(fields.Nested(RejectedSchema), metadata={"description": "never stored (unknown option)"})


class DueItemSchema(Schema):
    question_id = fields.Integer()
    due_at = fields.DateTime()


class DueSchema(Schema):
    category = fields.String()
    due = fields.List(fields.Nested(DueItemSchema))
    mistakes = fields.List(fields.Integer())


class TopicProgressSchema(Schema):
    topic = fields.String()
    name = fields.String()
    questions = fields.Integer()
    practised = fields.Integer()
    answers = fields.Integer()
    right = fields.Integer()
    mistakes = fields.Integer()
    due = fields.Integer()


class ReadinessSchema(Schema):
    profile = fields.String()
    probability = fields.Float()
    pass_mark = fields.Integer()
    questions = fields.Integer()
    answers_per_day = fields.Float()
    days_to_ready = fields.Integer(allow_none=True)


class ProgressSchema(Schema):
    category = fields.String()
    topics = fields.List(fields.Nested(TopicProgressSchema))
    readiness = fields.Nested(ReadinessSchema)
    device_answers = fields.Integer()


class SessionSchema(Schema):
    signed_in = fields.Boolean()
    csrf_token = fields.String(allow_none=True)
    owner = fields.String(
        allow_none=True,
        metadata={"description": "The tag the device files this account's queued answers under (null signed out)"},
    )


@blp.route("/pack")
class Pack(MethodView):
    @blp.arguments(PackArgs, location="query")
    @blp.response(200, PackSchema)
    @blp.alt_response(304, description="Not modified: the If-None-Match ETag is current")
    def get(self, args):
        """Every question of a category in one language, with the key, for offline practice."""
        found = packs.pack(
            db.session, args["lang"], args["category"], lambda name: url_for("questions.image", name=name)
        )
        if found is None:
            abort(404)
        etag = f'"{found.etag}"'
        headers = {"ETag": etag, "Cache-Control": "no-cache", "Vary": "Accept-Encoding"}
        if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
            return current_app.response_class(status=304, headers=headers)
        return current_app.response_class(found.body, mimetype="application/json", headers=headers)


@blp.route("/answers")
class Answers(MethodView):
    @learner_required
    @blp.arguments(AnswerBatchSchema)
    @blp.response(200, SyncResultSchema)
    def post(self, data):
        """Store answers practised on a device; each client_id once, however often it is sent."""
        answers = [
            syncing.DeviceAnswer(
                client_id=str(item["client_id"]),
                question_id=item["question_id"],
                option_id=item["option_id"],
                answered_at=item["answered_at"],
                seconds=item["seconds"],
            )
            for item in data["answers"]
        ]
        result = syncing.store_answers(db.session, g.api_user.id, answers, utcnow())
        db.session.commit()
        return result


@blp.route("/due")
class Due(MethodView):
    @learner_required
    @blp.arguments(CategoryArgs, location="query")
    @blp.response(200, DueSchema)
    def get(self, args):
        """The questions FSRS says are due now, and "my mistakes", for review on the device."""
        return progress.due(db.session, g.api_user.id, args["category"], utcnow())


@blp.route("/progress")
class Progress(MethodView):
    @learner_required
    @blp.arguments(CategoryArgs, location="query")
    @blp.response(200, ProgressSchema)
    def get(self, args):
        """Counts per topic and the readiness estimate (FSRS predicted recall)."""
        profile = progress.profile_for(db.session, args["category"])
        if profile is None:
            abort(404)
        return progress.progress(db.session, g.api_user.id, profile, utcnow())


@blp.route("/session")
class SessionState(MethodView):
    @blp.response(200, SessionSchema)
    def get(self):
        """Whether the browser is signed in, and a fresh CSRF token for sending answers by cookie."""
        if not current_user.is_authenticated:
            return {"signed_in": False, "csrf_token": None, "owner": None}
        owner = syncing.device_owner(current_app.config["SECRET_KEY"], current_user.id)
        return {"signed_in": True, "csrf_token": generate_csrf(), "owner": owner}
