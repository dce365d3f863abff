"""Names people read for the audit log's action codes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

AUDIT_ACTIONS = {
    "template-created": _l("Template created"),
    "template-updated": _l("Template changed"),
    "template-deleted": _l("Template deleted"),
    "slots-generated": _l("Exam times published"),
    "closure-added": _l("Closure added"),
    "closure-deleted": _l("Closure removed"),
    "capacity-changed": _l("Places changed"),
    "slot-blocked": _l("Time blocked"),
    "day-blocked": _l("Day blocked"),
    "checked-in": _l("Checked in"),
    "not-admitted": _l("Not admitted"),
    "no-shows-marked": _l("No-shows recorded"),
    "result-recorded": _l("Result recorded"),
    "centre-saved": _l("Centre saved"),
    "staff-created": _l("Staff account created"),
    "staff-deactivated": _l("Staff account deactivated"),
    "staff-reactivated": _l("Staff account reactivated"),
    "iin-shown": _l("Full IIN shown"),
    "person-viewed": _l("Person's file viewed"),
}
