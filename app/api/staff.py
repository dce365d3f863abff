"""Exam-centre staff over the API: a slot's roster, check-in with the documents, results,
blocking a slot. Staff reach only their own centre's objects (anything else answers 404), admins all."""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from app.api.booking import SlotSchema, slot_body
from app.auth.iin import mask_iin
from app.auth.models import Role
from app.auth.tokens import bearer_required
from app.booking.eligibility import Policy
from app.booking.models import Booking, BookingStatus, Slot
from app.core.acting import Acting
from app.core.clock import utcnow
from app.core.errors import problem_response
from app.core.urls import MAX_ID
from app.extensions import db
from app.staff import exam_day, scope, slots

blp = Blueprint("api_staff", __name__, url_prefix="/staff", description="Exam-centre staff: roster, check-in, results")


class DocumentsSchema(Schema):
    identity = fields.Boolean(required=True, metadata={"description": "Identity document"})
    medical = fields.Boolean(required=True, metadata={"description": "Medical certificate"})
    fee = fields.Boolean(required=True, metadata={"description": "State-fee receipt"})
    school = fields.Boolean(required=True, metadata={"description": "Driving-school certificate"})


class CheckInSchema(Schema):
    documents = fields.Nested(DocumentsSchema, required=True)


class ExamResultSchema(Schema):
    passed = fields.Boolean(required=True)
    points = fields.Integer(
        load_default=None,
        validate=validate.Range(min=0, max=MAX_ID),
        metadata={"description": "Theory: right answers out of 40 (required; pass at 32). Practical: penalty points."},
    )


class BlockRequestSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=3, max=300))


class RosterEntrySchema(Schema):
    id = fields.Integer()
    ticket = fields.String(allow_none=True)
    full_name = fields.String()
    iin = fields.String(metadata={"description": "Masked: 9001******23"})
    status = fields.String(metadata={"description": "confirmed, attended, refused, no-show, passed or failed"})
    exam = fields.String()
    category = fields.String()
    slot_id = fields.Integer()
    checked_in_at = fields.DateTime(allow_none=True)
    missing_documents = fields.List(fields.String())
    score = fields.Integer(allow_none=True)
    penalty_points = fields.Integer(allow_none=True)


class RosterSchema(Schema):
    slot = fields.Nested(SlotSchema)
    bookings = fields.List(fields.Nested(RosterEntrySchema))


class BlockedSchema(Schema):
    slot = fields.Nested(SlotSchema)
    blocked_reason = fields.String()
    cancelled = fields.Integer(metadata={"description": "Bookings cancelled (each applicant notified)"})


def staff_token_required(view):
    """A bearer token of a staff member or an admin; others get 403."""

    @wraps(view)
    def staff_only(*args, **kwargs):
        if g.api_user.role not in (Role.STAFF, Role.ADMIN):
            abort(403, message="Only exam-centre staff may do this.")
        return view(*args, **kwargs)

    # Outside `wraps`, which would copy the view's own OpenAPI notes over the bearer requirement.
    return bearer_required(staff_only)


def _entry(booking: Booking) -> dict[str, Any]:
    centre = booking.centre
    return {
        "id": booking.id,
        "ticket": booking.ticket,
        "full_name": booking.user.full_name,
        "iin": mask_iin(booking.user.iin),
        "status": booking.status,
        "exam": booking.exam_type,
        "category": booking.category,
        "slot_id": booking.slot_id,
        "checked_in_at": centre.local(booking.checked_in_at) if booking.checked_in_at else None,
        "missing_documents": booking.missing_documents,
        "score": booking.score,
        "penalty_points": booking.penalty_points,
    }


def _acting() -> Acting:
    """The token's staff member or admin acting now, under the booking rules in force."""
    return Acting(db.session, g.api_user, utcnow(), Policy.from_config(current_app.config))


def _slot(slot_id: int) -> Slot:
    slot = scope.slot_for(db.session, g.api_user, slot_id)
    if slot is None:
        abort(404)
    return slot


def _booking(booking_id: int) -> Booking:
    booking = scope.booking_for(db.session, g.api_user, booking_id)
    if booking is None:
        abort(404)
    return booking


@blp.route("/slots/<int:slot_id>/roster")
class Roster(MethodView):
    @blp.response(200, RosterSchema)
    @blp.alt_response(404, description="No such slot at your centre")
    @staff_token_required
    def get(self, slot_id):
        """Who is expected at the exam, by ticket, with check-in and result so far."""
        slot = _slot(slot_id)
        return {"slot": slot_body(slot), "bookings": [_entry(b) for b in exam_day.roster(db.session, slot)]}


@blp.route("/bookings/<int:booking_id>/check-in")
class CheckIn(MethodView):
    @staff_token_required
    @blp.arguments(CheckInSchema)
    @blp.response(200, RosterEntrySchema)
    @blp.alt_response(404, description="No such booking at your centre")
    @blp.alt_response(409, description="`not-checkable` or `check-in-closed` (only on the exam day, until it ends)")
    @blp.alt_response(422, description="`documents-missing`: not admitted (recorded), `missing` names the documents")
    def post(self, data, booking_id):
        """Check the documents; all four admit the applicant, a missing one refuses admission (recorded)."""
        booking = exam_day.check_in(_acting(), _booking(booking_id), data["documents"])
        db.session.commit()  # a refusal is recorded too, then reported as 422
        if booking.status == BookingStatus.REFUSED:
            return problem_response(
                422,
                code="documents-missing",
                detail="Not admitted: a required document is missing.",
                missing=booking.missing_documents,
            )
        return _entry(booking)


@blp.route("/bookings/<int:booking_id>/result")
class Result(MethodView):
    @staff_token_required
    @blp.arguments(ExamResultSchema)
    @blp.response(200, RosterEntrySchema)
    @blp.alt_response(404, description="No such booking at your centre")
    @blp.alt_response(409, description="`not-admitted` (check in first) or `exam-not-started`")
    @blp.alt_response(422, description="`points` missing, out of range or contradicting `passed`")
    def post(self, data, booking_id):
        """Record the result; it feeds the applicant's eligibility and retake waits."""
        booking = exam_day.record_result(_acting(), _booking(booking_id), data["passed"], data["points"])
        db.session.commit()
        return _entry(booking)


@blp.route("/slots/<int:slot_id>/block")
class Block(MethodView):
    @staff_token_required
    @blp.arguments(BlockRequestSchema)
    @blp.response(200, BlockedSchema)
    @blp.alt_response(404, description="No such slot at your centre")
    @blp.alt_response(409, description="`slot-blocked` already, or `slot-over`")
    def post(self, data, slot_id):
        """Block the slot: its bookings are cancelled, each applicant notified and given a priority rebooking."""
        slot = _slot(slot_id)
        cancelled = slots.block_slot(_acting(), slot, data["reason"])
        db.session.commit()
        return {"slot": slot_body(slot), "blocked_reason": slot.blocked_reason, "cancelled": len(cancelled)}
