"""Fair-release rounds over the API: the rounds, requests in them, and the public results.

GET /rounds, POST /rounds/{id}/requests, GET/PUT/DELETE /requests/{id}, GET /rounds/{id}/results.
Times are ISO 8601 in the centre's zone, with its offset."""

from __future__ import annotations

from typing import Any

from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import Schema, ValidationError, fields, validate

from app.auth.access import per_person_key
from app.auth.tokens import bearer_required
from app.booking.eligibility import Policy
from app.booking.models import LICENCE_CATEGORIES, ExamType
from app.centres.services import find_centre
from app.core.clock import utcnow
from app.core.urls import MAX_ID
from app.extensions import db, limiter
from app.rounds import announcing, lottery, requesting, verifying
from app.rounds.models import MAX_CHOICES, ReleaseRound, RoundRequest

blp = Blueprint("api_rounds", __name__, description="Fair-release rounds: new places by an auditable lottery")


class RoundQuerySchema(Schema):
    centre = fields.String(load_default=None, metadata={"description": "Centre code, e.g. ALM"})
    exam = fields.String(load_default=None, validate=validate.OneOf([e.value for e in ExamType]))
    category = fields.String(load_default=None, validate=validate.OneOf(LICENCE_CATEGORIES))


class RoundSchema(Schema):
    id = fields.Integer()
    centre = fields.String()
    exam = fields.String()
    category = fields.String()
    opens_at = fields.DateTime()
    draw_at = fields.DateTime()
    places = fields.Integer()
    requests = fields.Integer()
    status = fields.String(metadata={"description": "upcoming, open, due, drawn or cancelled"})
    seed_sha256 = fields.String(metadata={"description": "SHA-256 of the secret seed, published at the announcement"})
    seed = fields.String(allow_none=True, metadata={"description": "The seed, published after the draw"})
    slots = fields.List(fields.Integer(), metadata={"description": "The slots whose places the round gives out"})
    day_parts = fields.List(
        fields.Dict(),
        metadata={"description": 'The days and parts of day with slots in the round ({"date", "part"}), as choices'},
    )


class ChoiceField(fields.Field):
    """A slot id of the round, or {"date": "YYYY-MM-DD", "part": "morning|afternoon|evening"}: any
    time that day and part of day at the centre (morning before 12:00, afternoon until 17:00)."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            choice = lottery.parse_choice(value)
        except (ValueError, TypeError):
            raise ValidationError(
                'A slot id, or {"date": "YYYY-MM-DD", "part": "morning", "afternoon" or "evening"}.'
            ) from None
        if isinstance(choice, int) and not 1 <= choice <= MAX_ID:
            raise ValidationError("No such slot.")
        return choice

    def _serialize(self, value, attr, obj, **kwargs):
        return value


CHOICE_SCHEMA = {
    "oneOf": [
        {"type": "integer", "minimum": 1, "maximum": MAX_ID, "description": "A slot id of the round"},
        {
            "type": "object",
            "properties": {
                "date": {"type": "string", "format": "date"},
                "part": {"type": "string", "enum": list(lottery.PARTS)},
            },
            "required": ["date", "part"],
            "additionalProperties": False,
            "description": "Any time that day and part of day at the centre, the earliest free first",
        },
    ]
}


class ChoicesSchema(Schema):
    choices = fields.List(
        ChoiceField(metadata=CHOICE_SCHEMA),
        required=True,
        validate=validate.Length(min=1, max=MAX_CHOICES),
        metadata={"description": "Slots of the round or days and parts of day, most preferred first"},
    )


class RequestSchema(Schema):
    id = fields.Integer()
    round_id = fields.Integer()
    choices = fields.List(ChoiceField(metadata=CHOICE_SCHEMA))
    token = fields.String(metadata={"description": "Your pseudonym in the published results"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    position = fields.Integer(allow_none=True)
    outcome = fields.String(allow_none=True, metadata={"description": "won, lost or ineligible (after the draw)"})
    slot_id = fields.Integer(allow_none=True)
    booking_id = fields.Integer(allow_none=True, metadata={"description": "The hold to confirm, when won"})


class ResultRowSchema(Schema):
    token = fields.String()
    priority = fields.Boolean()
    choices = fields.List(ChoiceField(metadata=CHOICE_SCHEMA))
    position = fields.Integer(allow_none=True)
    outcome = fields.String(allow_none=True)
    slot_id = fields.Integer(allow_none=True)


class ResultsSchema(Schema):
    round = fields.Integer()
    seed = fields.String(allow_none=True)
    seed_sha256 = fields.String()
    places = fields.Dict(keys=fields.String(), values=fields.Integer())
    slots = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "Each slot's start in the centre's zone (what day-part choices stand for)"},
    )
    requests = fields.List(fields.Nested(ResultRowSchema))
    matches = fields.Boolean(metadata={"description": "Whether recomputing the draw from this data gives it"})


def _policy() -> Policy:
    return Policy.from_config(current_app.config)


def round_body(release: ReleaseRound) -> dict[str, Any]:
    figures = announcing.figures(db.session, release)
    centre = release.centre
    drawn = release.places is not None
    slots = announcing.round_slots(db.session, release)
    return {
        "id": release.id,
        "centre": centre.code,
        "exam": release.exam_type,
        "category": release.category,
        "opens_at": centre.local(release.opens_at),
        "draw_at": centre.local(release.draw_at),
        "places": figures.places,
        "requests": figures.requests,
        "status": release.phase(utcnow()).value,
        "seed_sha256": release.seed_sha256,
        "seed": release.seed if drawn else None,
        "slots": [slot.id for slot in slots],
        "day_parts": [
            day_part.published()
            for day_part in sorted(requesting.round_day_parts(release, slots), key=lottery.DayPart.sort_key)
        ],
    }


def _request_body(request: RoundRequest) -> dict[str, Any]:
    centre = request.round.centre
    return {
        "id": request.id,
        "round_id": request.round_id,
        "choices": list(request.choices),
        "token": request.token,
        "created_at": centre.local(request.created_at),
        "updated_at": centre.local(request.updated_at),
        "position": request.position,
        "outcome": request.outcome,
        "slot_id": request.slot_id,
        "booking_id": request.booking_id,
    }


def _person_limit() -> str:
    return current_app.config["ROUND_REQUEST_RATE_LIMIT"]


def _address_limit() -> str:
    return current_app.config["ROUND_ADDRESS_RATE_LIMIT"]


LIMITS = [
    limiter.limit(_person_limit, methods=["POST", "PUT", "DELETE"], key_func=per_person_key),
    limiter.limit(_address_limit, methods=["POST", "PUT", "DELETE"]),
]


@blp.route("/rounds")
class Rounds(MethodView):
    @blp.arguments(RoundQuerySchema, location="query")
    @blp.response(200, RoundSchema(many=True))
    def get(self, query):
        """Fair-release rounds, the latest draw first."""
        centre = None
        if query["centre"]:
            centre = find_centre(db.session, query["centre"])
            if centre is None:
                return []
        found = announcing.listing(db.session, centre=centre, exam_type=query["exam"], category=query["category"])
        return [round_body(release) for release in found]


@blp.route("/rounds/<int:round_id>")
class RoundItem(MethodView):
    @blp.response(200, RoundSchema)
    @blp.alt_response(404, description="No such round")
    def get(self, round_id):
        """One round."""
        return round_body(announcing.find_round(db.session, round_id))


@blp.route("/rounds/<int:round_id>/requests")
class RoundRequests(MethodView):
    decorators = LIMITS

    @bearer_required
    @blp.arguments(ChoicesSchema)
    @blp.response(201, RequestSchema)
    @blp.alt_response(403, description="`not-verified` or `phone-not-confirmed`")
    @blp.alt_response(409, description="`round-closed`: outside the request window; `request-exists`")
    @blp.alt_response(422, description="`not-eligible`: a booking rule refuses, named in `reason`")
    def post(self, data, round_id):
        """File your request: up to five choices, most preferred first; each a slot of the round or
        a day and part of day (`{"date": "2026-12-10", "part": "morning"}`: any of its slots then)."""
        request = requesting.file_request(db.session, g.api_user, round_id, data["choices"], utcnow(), _policy())
        body = _request_body(request)  # before the commit, which would expire what it reads
        db.session.commit()
        return body


def _own(request_id: int) -> RoundRequest:
    return requesting.own_request(db.session, g.api_user, request_id)


@blp.route("/requests/<int:request_id>")
class RequestItem(MethodView):
    decorators = LIMITS

    @blp.response(200, RequestSchema)
    @blp.alt_response(404, description="No such request of yours")
    @bearer_required
    def get(self, request_id):
        """One of your requests, with its token, and its position and outcome after the draw."""
        return _request_body(_own(request_id))

    @bearer_required
    @blp.arguments(ChoicesSchema)
    @blp.response(200, RequestSchema)
    @blp.alt_response(409, description="`round-closed`: the draw has begun")
    @blp.alt_response(422, description="`not-eligible`")
    def put(self, data, request_id):
        """Change your choices until the draw."""
        request = requesting.change_request(
            db.session, g.api_user, _own(request_id), data["choices"], utcnow(), _policy()
        )
        db.session.commit()
        return _request_body(request)

    @bearer_required
    @blp.response(204)
    @blp.alt_response(409, description="`round-closed`: the draw has begun")
    def delete(self, request_id):
        """Withdraw your request until the draw."""
        requesting.withdraw_request(db.session, _own(request_id), utcnow())
        db.session.commit()


@blp.route("/rounds/<int:round_id>/results")
class Results(MethodView):
    @blp.response(200, ResultsSchema)
    @blp.alt_response(404, description="No such round")
    def get(self, round_id):
        """The draw's public data: the seed, the places, and per request its token, position and outcome."""
        release = announcing.find_round(db.session, round_id)
        data = verifying.published(db.session, release)
        if data["seed"] is None:
            abort(409, message="The round is not drawn yet.")
        return data | {"matches": verifying.verify(data).matches}
