"""Names people read for the appeals' codes (subjects, statuses, outcomes, steps, history)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.appeals.deadlines import Step, Urgency
from app.appeals.models import AppealStatus, Outcome, Subject

SUBJECT_NAMES = {
    Subject.EXAM_RESULT: _l("Exam result"),
    Subject.BOOKING: _l("Refused or cancelled booking"),
}

STATUS_NAMES = {
    AppealStatus.RECEIVED: _l("Received"),
    AppealStatus.REGISTERED: _l("Under consideration"),
    AppealStatus.DECIDED: _l("Decided"),
    AppealStatus.WITHDRAWN: _l("Withdrawn"),
}

OUTCOME_NAMES = {
    Outcome.UPHELD: _l("Upheld"),
    Outcome.PARTLY_UPHELD: _l("Partly upheld"),
    Outcome.REJECTED: _l("Rejected"),
}

STEP_NAMES = {
    Step.REGISTER_OR_REFER: _l("Register or refer to the competent centre"),
    Step.DECIDE: _l("Decide"),
    Step.DECIDE_COMPLAINT: _l("Decide the complaint"),
}

URGENCY_NAMES = {
    Urgency.OVERDUE: _l("Overdue"),
    Urgency.NEARLY_DUE: _l("Due within 1 working day"),
    Urgency.ON_TIME: _l("On time"),
}

ACTION_NAMES = {
    "received": _l("Appeal received, receipt issued"),
    "registered": _l("Registered by the centre"),
    "referred": _l("Referred to the competent centre"),
    "extended": _l("Decision term extended"),
    "decided": _l("Decision made"),
    "withdrawn": _l("Withdrawn by the applicant"),
    "complaint-filed": _l("Complaint filed"),
    "complaint-decided": _l("Complaint decided"),
}
