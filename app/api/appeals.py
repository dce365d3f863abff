"""POST /appeals and GET /appeals/{id}. Times are ISO 8601 in the centre's zone with
its offset; statutory deadlines are dates (the centre's days)."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from app.appeals import finding
from app.appeals.filing import Filing, file_appeal
from app.appeals.models import Appeal, Subject
from app.auth.models import Role
from app.auth.tokens import bearer_required
from app.core.acting import Acting
from app.core.clock import utcnow
from app.core.urls import MAX_ID
from app.extensions import db

blp = Blueprint("api_appeals", __name__, description="Appeals against exam results and bookings, and complaints")


class FilingSchema(Schema):
    subject = fields.String(required=True, validate=validate.OneOf([subject.value for subject in Subject]))
    booking_id = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=MAX_ID),
        allow_none=True,
        metadata={"description": "The booking concerned; required for `exam-result`. Its centre is the competent one."},
    )
    centre = fields.String(
        load_default=None,
        allow_none=True,
        metadata={"description": "Code of the centre addressed, when no booking names it (a refused booking)"},
    )
    essence = fields.String(required=True, metadata={"description": "What is appealed, why, and what is asked"})
    postal_address = fields.String(required=True)


class ReceiptSchema(Schema):
    id = fields.Integer()
    receipt_number = fields.String(metadata={"description": "e.g. APL-ALM-2026-000123"})
    received_at = fields.DateTime()
    due_date = fields.Date(metadata={"description": "The decision is due by this day (15 working days, or extended)"})
    status = fields.String(metadata={"description": "received, registered, decided or withdrawn"})


class StepSchema(Schema):
    step = fields.String(metadata={"description": "register-or-refer, decide or decide-complaint"})
    due = fields.Date()


class DecisionSchema(Schema):
    outcome = fields.String(metadata={"description": "upheld, partly-upheld or rejected"})
    reasons = fields.String()
    decided_at = fields.DateTime()


class ComplaintSchema(Schema):
    filed_at = fields.DateTime()
    late = fields.Boolean(metadata={"description": "Filed after the 3-month term (accepted, reason recorded)"})
    due_date = fields.Date()
    decision = fields.Nested(DecisionSchema, allow_none=True)


class AppealEventSchema(Schema):
    action = fields.String()
    at = fields.DateTime()


class AppealSchema(ReceiptSchema):
    subject = fields.String()
    booking_id = fields.Integer(allow_none=True)
    addressed_centre = fields.String(metadata={"description": "Code of the centre addressed"})
    centre = fields.String(metadata={"description": "Code of the centre that has the case (after any referral)"})
    essence = fields.String()
    postal_address = fields.String()
    registered_by = fields.Dict(
        allow_none=True, metadata={"description": "`{name, position, at}` of the staff member who registered it"}
    )
    refer_by = fields.Date()
    extended = fields.Boolean()
    extension_reason = fields.String(allow_none=True)
    complaint_by = fields.Date(allow_none=True, metadata={"description": "Last day to complain on time"})
    next_step = fields.Nested(StepSchema, allow_none=True)
    decision = fields.Nested(DecisionSchema, allow_none=True)
    complaint = fields.Nested(ComplaintSchema, allow_none=True)
    history = fields.List(fields.Nested(AppealEventSchema))


def _receipt(appeal: Appeal) -> dict[str, Any]:
    return {
        "id": appeal.id,
        "receipt_number": appeal.receipt_number,
        "received_at": appeal.addressed_centre.local(appeal.received_at),
        "due_date": appeal.decision_due,
        "status": appeal.status,
    }


def _decision(outcome: str | None, reasons: str | None, at, appeal: Appeal) -> dict[str, Any] | None:
    if at is None:
        return None
    return {"outcome": outcome, "reasons": reasons, "decided_at": appeal.centre.local(at)}


def _appeal_body(appeal: Appeal) -> dict[str, Any]:
    local = appeal.centre.local
    step = finding.pending_step(appeal)
    complaint = appeal.complaint
    return {
        **_receipt(appeal),
        "subject": appeal.subject,
        "booking_id": appeal.booking_id,
        "addressed_centre": appeal.addressed_centre.code,
        "centre": appeal.centre.code,
        "essence": appeal.essence,
        "postal_address": appeal.postal_address,
        "registered_by": (
            {
                "name": appeal.registrar_name,
                "position": appeal.registrar_position,
                "at": local(appeal.registered_at).isoformat(),
            }
            if appeal.registered_at
            else None
        ),
        "refer_by": appeal.refer_due,
        "extended": appeal.extended_at is not None,
        "extension_reason": appeal.extension_reason,
        "complaint_by": appeal.complaint_due,
        "next_step": {"step": step.step.value, "due": step.due} if step else None,
        "decision": _decision(appeal.outcome, appeal.decision_reasons, appeal.decided_at, appeal),
        "complaint": (
            {
                "filed_at": local(complaint.filed_at),
                "late": complaint.late,
                "due_date": complaint.decision_due,
                "decision": _decision(complaint.outcome, complaint.decision_reasons, complaint.decided_at, appeal),
            }
            if complaint
            else None
        ),
        "history": [{"action": event.action, "at": local(event.at)} for event in appeal.events],
    }


@blp.route("/appeals")
class Appeals(MethodView):
    @bearer_required
    @blp.arguments(FilingSchema)
    @blp.response(201, ReceiptSchema)
    @blp.alt_response(404, description="`booking-not-found`: no such booking of yours")
    @blp.alt_response(422, description="A field is missing or does not fit the subject")
    @blp.alt_response(409, description="`appeal-duplicate`: the same appeal is open already (`appeal` is its id)")
    @blp.alt_response(429, description="`appeal-limit`: the most appeals a person may file in 24 hours")
    def post(self, data):
        """File an appeal; the answer is its receipt. Filing with your token stands for your signature."""
        if g.api_user.role != Role.USER:
            abort(403, message="Only applicants file appeals.")
        filing = Filing(
            subject=data["subject"],
            booking_id=data["booking_id"],
            centre_code=data["centre"],
            essence=data["essence"],
            postal_address=data["postal_address"],
            confirmed=True,
        )
        appeal = file_appeal(Acting(db.session, g.api_user, utcnow()), filing)
        db.session.commit()
        return _receipt(appeal)


@blp.route("/appeals/<int:appeal_id>")
class AppealItem(MethodView):
    @blp.response(200, AppealSchema)
    @blp.alt_response(404, description="Not your appeal, nor one at your centre")
    @bearer_required
    def get(self, appeal_id):
        """An appeal with its deadlines, decision, complaint and history: the applicant's own, or one
        at the staff member's centre."""
        appeal = db.session.get(Appeal, appeal_id)
        if appeal is None or not finding.can_see(g.api_user, appeal):
            abort(404)
        return _appeal_body(appeal)
