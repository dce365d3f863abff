"""GET /centres, GET /slots, and the applicant's bookings: hold, confirm, reschedule, cancel,
list, show, calendar file. Times are ISO 8601 in the centre's zone, with its offset."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate, validates_schema

from app.auth.access import per_person_key
from app.auth.models import Role
from app.auth.tokens import bearer_required
from app.booking import availability, holds
from app.booking.eligibility import Policy
from app.booking.ics import calendar_response
from app.booking.models import LICENCE_CATEGORIES, Booking, ExamType, Slot
from app.centres.services import centres_by_city, find_centre
from app.core.clock import utcnow
from app.core.ranges import check_schema_period, period, validate_supported_day
from app.core.urls import MAX_ID
from app.extensions import db, limiter

blp = Blueprint("api_booking", __name__, description="Exam centres, free places and bookings")

MAX_RANGE_DAYS = 62


class CentreSchema(Schema):
    code = fields.String()
    name = fields.String()
    city = fields.String()
    address = fields.String()
    opening_hours = fields.String()
    timezone = fields.String()


class SlotQuerySchema(Schema):
    centre = fields.String(required=True, metadata={"description": "Centre code, e.g. ALM"})
    exam = fields.String(required=True, validate=validate.OneOf([e.value for e in ExamType]))
    category = fields.String(required=True, validate=validate.OneOf(LICENCE_CATEGORIES))
    from_ = fields.Date(
        data_key="from",
        load_default=None,
        validate=validate_supported_day,
        metadata={"description": "First day (default: today, or a week before `to`)"},
    )
    to = fields.Date(
        load_default=None,
        validate=validate_supported_day,
        metadata={"description": "Last day (default: a week after `from`)"},
    )

    @validates_schema
    def check_range(self, data, **kwargs):
        check_schema_period(data["from_"], data["to"], MAX_RANGE_DAYS)


class SlotSchema(Schema):
    id = fields.Integer()
    centre = fields.String(metadata={"description": "Centre code"})
    exam = fields.String()
    category = fields.String()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    capacity = fields.Integer()
    available = fields.Integer(metadata={"description": "Free places now (expired holds count as free)"})
    bookable = fields.Boolean(
        metadata={
            "description": "Whether a place can be held now: not blocked, a place free, the exam past the "
            "change cut-off and within the booking window"
        }
    )


class HoldSchema(Schema):
    slot_id = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))


class ConfirmSchema(Schema):
    consent_personal_data = fields.Boolean(
        required=True,
        metadata={"description": "Consent to personal-data processing (Art. 8 of the Law on Personal Data)"},
    )
    fee_receipt = fields.String(required=True, validate=validate.Length(max=40))


class EventSchema(Schema):
    action = fields.String()
    at = fields.DateTime()
    slot_id = fields.Integer()


class BookingSchema(Schema):
    id = fields.Integer()
    status = fields.String(
        metadata={"description": "held, confirmed, cancelled, expired, attended, no-show, passed or failed"}
    )
    exam = fields.String()
    category = fields.String()
    hold_expires_at = fields.DateTime(allow_none=True)
    ticket = fields.String(allow_none=True)
    slot = fields.Nested(SlotSchema)
    reschedule_count = fields.Integer()
    created_at = fields.DateTime()
    history = fields.List(fields.Nested(EventSchema))


def _policy() -> Policy:
    return Policy.from_config(current_app.config)


def slot_body(slot: Slot, available: int | None = None) -> dict[str, Any]:
    body = {
        "id": slot.id,
        "centre": slot.centre.code,
        "exam": slot.exam_type,
        "category": slot.category,
        "starts_at": slot.local_starts_at,
        "ends_at": slot.local_ends_at,
        "capacity": slot.capacity,
    }
    if available is not None:
        body["available"] = available
    return body


def _booking_body(booking: Booking) -> dict[str, Any]:
    centre = booking.centre
    status = holds.display_status(booking, utcnow())
    return {
        "id": booking.id,
        "status": status,
        "exam": booking.exam_type,
        "category": booking.category,
        "hold_expires_at": centre.local(booking.hold_expires_at) if status == "held" else None,
        "ticket": booking.ticket,
        "slot": slot_body(booking.slot),
        "reschedule_count": booking.reschedule_count,
        "created_at": centre.local(booking.created_at),
        "history": [
            {"action": event.action, "at": centre.local(event.at), "slot_id": event.slot_id} for event in booking.events
        ],
    }


def _own_booking(booking_id: int) -> Booking:
    booking = holds.own_booking(db.session, g.api_user, booking_id)
    if booking is None:
        abort(404)
    return booking


def _booking_limit() -> str:
    return current_app.config["BOOKING_RATE_LIMIT"]


@blp.route("/centres")
class Centres(MethodView):
    @blp.response(200, CentreSchema(many=True))
    def get(self):
        """Exam centres with city, address, opening hours and time zone."""
        return [centre for centres in centres_by_city(db.session).values() for centre in centres]


@blp.route("/slots")
class Slots(MethodView):
    @blp.arguments(SlotQuerySchema, location="query")
    @blp.response(200, SlotSchema(many=True))
    @blp.alt_response(404, description="No such centre")
    def get(self, query):
        """Slots of a centre for an exam and licence category, with the free places."""
        centre = find_centre(db.session, query["centre"])
        if centre is None:
            abort(404)
        today = centre.local(utcnow()).date()
        first_day, last_day = period(query["from_"], query["to"], default=(today, today + timedelta(days=6)))
        times = availability.ExamTimes(centre, query["exam"], query["category"], first_day, last_day)
        now = utcnow()
        window = _policy().booking_open(now)
        found = availability.slot_availability(db.session, now, times)
        return [slot_body(item.slot, item.available) | {"bookable": item.can_book(window)} for item in found]


@blp.route("/bookings")
class Bookings(MethodView):
    decorators = [limiter.limit(_booking_limit, methods=["POST"], key_func=per_person_key)]

    @blp.response(200, BookingSchema(many=True))
    @bearer_required
    def get(self):
        """Your bookings, the latest exam first."""
        return [_booking_body(booking) for booking in holds.user_bookings(db.session, g.api_user)]

    @bearer_required
    @blp.arguments(HoldSchema)
    @blp.response(201, BookingSchema)
    @blp.alt_response(409, description="`slot-full`: no free place left")
    @blp.alt_response(422, description="`not-eligible`: a rule refuses, named in `reason`")
    @blp.alt_response(429, description="`hold-limit`: the most holds a person may take in 24 hours")
    def post(self, data):
        """Hold a place; confirm it before `hold_expires_at`."""
        if g.api_user.role != Role.USER:
            abort(403, message="Only applicants book exam places.")
        booking = holds.hold_place(db.session, g.api_user, data["slot_id"], utcnow(), _policy())
        db.session.commit()
        return _booking_body(booking)


@blp.route("/bookings/<int:booking_id>")
class BookingItem(MethodView):
    @blp.response(200, BookingSchema)
    @blp.alt_response(404, description="No such booking of yours")
    @bearer_required
    def get(self, booking_id):
        """One of your bookings with its history."""
        return _booking_body(_own_booking(booking_id))


@blp.route("/bookings/<int:booking_id>/confirm")
class Confirm(MethodView):
    @bearer_required
    @blp.arguments(ConfirmSchema)
    @blp.response(200, BookingSchema)
    @blp.alt_response(409, description="`hold-expired`: the place was released")
    @blp.alt_response(422, description="Consent missing or a bad receipt number")
    def post(self, data, booking_id):
        """Confirm a hold: consent to personal-data processing and the state-fee receipt number."""
        booking = holds.confirm(
            db.session,
            _own_booking(booking_id),
            utcnow(),
            consent_personal_data=data["consent_personal_data"],
            fee_receipt=data["fee_receipt"],
        )
        db.session.commit()
        return _booking_body(booking)


@blp.route("/bookings/<int:booking_id>/reschedule")
class Reschedule(MethodView):
    @bearer_required
    @blp.arguments(HoldSchema)
    @blp.response(200, BookingSchema)
    @blp.alt_response(409, description="`slot-full`: the booking stays where it was")
    @blp.alt_response(422, description="`not-eligible`: cut-off, reschedule limit, other exam or category")
    def post(self, data, booking_id):
        """Move the booking to another slot; the old place is freed only if the new one is taken."""
        booking = holds.reschedule(db.session, _own_booking(booking_id), data["slot_id"], utcnow(), _policy())
        db.session.commit()
        return _booking_body(booking)


@blp.route("/bookings/<int:booking_id>/cancel")
class Cancel(MethodView):
    @blp.response(200, BookingSchema)
    @blp.alt_response(422, description="`not-eligible`: after the cut-off")
    @bearer_required
    def post(self, booking_id):
        """Cancel the booking (or let a hold go)."""
        booking = holds.cancel(db.session, _own_booking(booking_id), utcnow(), _policy())
        db.session.commit()
        return _booking_body(booking)


@blp.route("/bookings/<int:booking_id>/calendar.ics")
@blp.doc(responses={"200": {"description": "An iCalendar event", "content": {"text/calendar": {}}}})
@bearer_required
def calendar(booking_id):
    """The booking as a calendar event (METHOD:CANCEL once cancelled)."""
    return calendar_response(_own_booking(booking_id))
