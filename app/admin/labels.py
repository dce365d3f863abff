"""Names people read for codes on the admin pages: roles, waitlist and outbox statuses."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ROLE_NAMES = {
    "user": _l("Learner and applicant"),
    "staff": _l("Centre staff"),
    "admin": _l("Administrator"),
}

WAITLIST_NAMES = {
    "waiting": _l("Waiting"),
    "offered": _l("Place offered"),
    "left": _l("Left the waitlist"),
}

OUTBOX_NAMES = {
    "pending": _l("Waiting to be sent"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
    "cancelled": _l("Cancelled"),
}
