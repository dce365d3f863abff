"""Helpers shared by several test modules (moved from test_hardening_access.py)."""

from __future__ import annotations

import re

from app import create_app
from config import TestingConfig

OK, LOGIN = "ok", "login"  # what a role gets from a route: the page, or the sign-in redirect


PUBLIC = (OK,) * 6


SIGNED_IN = (LOGIN, OK, OK, OK, OK, OK)


OWN_PAGE = (LOGIN, OK, 404, 403, 403, 403)  # an applicant's own object (booking pages are for applicants)


APPLICANT = (LOGIN, OK, OK, 403, 403, 403)


STAFF_CENTRE = (LOGIN, 403, 403, 404, OK, OK)  # an object of staff's own centre; admins see all


ADMIN = (LOGIN, 403, 403, 403, 403, OK)


OWN_ATTEMPT = (404, OK, 404, 404, 404, 404)  # anonymous attempts belong to their browser session


API_PUBLIC = PUBLIC


API_SIGNED_IN = SIGNED_IN


API_APPLICANT = (LOGIN, OK, OK, 403, 403, 403)


API_OWN = (LOGIN, OK, 404, 404, 404, 404)


API_STAFF_CENTRE = (LOGIN, 403, 403, 404, OK, OK)


# (endpoint, method) -> expected answer per role, in the order of `ROLES`:
# anonymous, user (the owner), other, foreign_staff, staff, admin.
MATRIX = {
    ("main.index", "GET"): PUBLIC,
    ("ops.healthz", "GET"): PUBLIC,
    ("ops.readyz", "GET"): PUBLIC,
    ("prometheus_metrics", "GET"): PUBLIC,
    ("main.set_language", "POST"): PUBLIC,
    ("stats.index", "GET"): PUBLIC,
    ("stats.centre", "GET"): PUBLIC,
    ("main.staff_home", "GET"): (LOGIN, 403, 403, OK, OK, 403),
    ("admin.home", "GET"): ADMIN,
    ("admin.people", "GET"): ADMIN,
    ("admin.people", "POST"): ADMIN,
    ("admin.person", "GET"): ADMIN,
    ("static", "GET"): PUBLIC,
    ("auth.login", "GET"): PUBLIC,
    ("auth.login", "POST"): PUBLIC,
    ("auth.logout", "POST"): PUBLIC,
    ("auth.register", "GET"): PUBLIC,
    ("auth.register", "POST"): PUBLIC,
    ("auth.registration_sent", "GET"): PUBLIC,
    ("auth.confirm_registration", "GET"): PUBLIC,
    ("auth.confirm_registration", "POST"): PUBLIC,
    ("auth.reset_request", "GET"): PUBLIC,
    ("auth.reset_request", "POST"): PUBLIC,
    ("auth.reset_password", "GET"): PUBLIC,
    ("auth.reset_password", "POST"): PUBLIC,
    ("auth.sign_out_everywhere", "POST"): SIGNED_IN,
    ("auth.password", "GET"): SIGNED_IN,
    ("auth.password", "POST"): SIGNED_IN,
    ("auth.profile", "GET"): SIGNED_IN,
    ("auth.profile", "POST"): SIGNED_IN,
    ("auth.phone_verify", "POST"): SIGNED_IN,
    ("auth.phone_confirm", "POST"): SIGNED_IN,
    ("messaging.telegram_link", "POST"): SIGNED_IN,
    ("messaging.telegram_unlink", "POST"): SIGNED_IN,
    ("messaging.whatsapp", "POST"): SIGNED_IN,
    ("messaging.choose_channels", "POST"): SIGNED_IN,
    # Telegram's updates: only with the webhook secret, which nobody in the matrix has.
    ("telegram.webhook", "POST"): (403,) * 6,
    ("questions.browse", "GET"): PUBLIC,
    ("questions.image", "GET"): PUBLIC,
    ("exam.index", "GET"): PUBLIC,
    ("exam.start", "POST"): PUBLIC,
    ("exam.resume", "GET"): OWN_ATTEMPT,
    ("exam.question", "GET"): OWN_ATTEMPT,
    ("exam.submit_answer", "POST"): OWN_ATTEMPT,
    ("exam.confirm_finish", "GET"): OWN_ATTEMPT,
    ("exam.confirm_finish", "POST"): OWN_ATTEMPT,
    ("exam.switch_language", "POST"): OWN_ATTEMPT,
    ("exam.result", "GET"): OWN_ATTEMPT,
    ("exam.history", "GET"): SIGNED_IN,
    ("exam.readiness", "GET"): SIGNED_IN,
    ("practice.index", "GET"): PUBLIC,
    ("practice.offline", "GET"): PUBLIC,
    ("practice.manifest", "GET"): PUBLIC,
    ("practice.service_worker", "GET"): PUBLIC,
    ("exam.edit_profile", "GET"): ADMIN,
    ("exam.edit_profile", "POST"): ADMIN,
    ("exam.item_statistics", "GET"): (LOGIN, 403, 403, OK, OK, OK),
    ("exam.item_statistics_csv", "GET"): (LOGIN, 403, 403, OK, OK, OK),
    ("notify.inbox", "GET"): SIGNED_IN,
    ("admin.jobs", "GET"): ADMIN,
    ("admin.retry", "POST"): ADMIN,
    ("booking.index", "GET"): APPLICANT,
    ("booking.centre", "GET"): APPLICANT,
    ("booking.mine", "GET"): APPLICANT,
    ("booking.hold", "POST"): APPLICANT,
    ("booking.join_waitlist", "POST"): APPLICANT,
    ("booking.leave_waitlist", "POST"): OWN_PAGE,
    ("booking.detail", "GET"): OWN_PAGE,
    ("booking.detail", "POST"): OWN_PAGE,
    ("booking.calendar_file", "GET"): OWN_PAGE,
    ("booking.cancel", "POST"): OWN_PAGE,
    ("booking.print_ticket", "GET"): OWN_PAGE,
    ("booking.ticket_qr", "GET"): OWN_PAGE,
    ("booking.reschedule", "GET"): OWN_PAGE,
    ("booking.reschedule", "POST"): OWN_PAGE,
    ("appeals.mine", "GET"): APPLICANT,
    ("appeals.new", "GET"): APPLICANT,
    ("appeals.new", "POST"): APPLICANT,
    ("appeals.detail", "GET"): OWN_PAGE,
    ("appeals.complain", "POST"): OWN_PAGE,
    ("appeals.withdraw", "POST"): OWN_PAGE,
    ("appeals_staff.queue", "GET"): (LOGIN, 403, 403, OK, OK, OK),
    ("appeals_staff.case", "GET"): STAFF_CENTRE,
    ("appeals_staff.show_iin", "POST"): STAFF_CENTRE,
    ("appeals_staff.register", "POST"): STAFF_CENTRE,
    ("appeals_staff.refer", "POST"): STAFF_CENTRE,
    ("appeals_staff.extend", "POST"): STAFF_CENTRE,
    ("appeals_staff.decide", "POST"): STAFF_CENTRE,
    ("appeals_staff.decide_complaint", "POST"): STAFF_CENTRE,
    ("staff.show_iin", "POST"): STAFF_CENTRE,
    ("staff.day", "GET"): STAFF_CENTRE,
    ("staff.block_day", "POST"): STAFF_CENTRE,
    ("staff.bookings_csv", "GET"): STAFF_CENTRE,
    ("staff.closures", "GET"): STAFF_CENTRE,
    ("staff.closures", "POST"): STAFF_CENTRE,
    ("staff.delete_closure", "POST"): STAFF_CENTRE,
    ("staff.dashboard", "GET"): STAFF_CENTRE,
    ("staff.generate", "POST"): STAFF_CENTRE,
    ("staff.templates", "GET"): STAFF_CENTRE,
    ("staff.new_template", "GET"): STAFF_CENTRE,
    ("staff.new_template", "POST"): STAFF_CENTRE,
    ("staff.edit_template", "GET"): STAFF_CENTRE,
    ("staff.edit_template", "POST"): STAFF_CENTRE,
    ("staff.delete_template", "POST"): STAFF_CENTRE,
    ("staff.slot", "GET"): STAFF_CENTRE,
    ("staff.block", "POST"): STAFF_CENTRE,
    ("staff.capacity", "POST"): STAFF_CENTRE,
    ("staff.no_shows", "POST"): STAFF_CENTRE,
    ("staff.roster_print", "GET"): STAFF_CENTRE,
    ("staff.roster_csv", "GET"): STAFF_CENTRE,
    ("staff.booking", "GET"): STAFF_CENTRE,
    ("staff.check_in", "POST"): STAFF_CENTRE,
    ("staff.result", "POST"): STAFF_CENTRE,
    ("staff.check_in_desk", "GET"): STAFF_CENTRE,
    ("staff.check_in_desk", "POST"): STAFF_CENTRE,
    ("admin.audit", "GET"): ADMIN,
    ("admin.dashboard", "GET"): ADMIN,
    ("admin.centres", "GET"): ADMIN,
    ("admin.centres", "POST"): ADMIN,
    ("admin.edit_centre", "GET"): ADMIN,
    ("admin.edit_centre", "POST"): ADMIN,
    ("admin.staff", "GET"): ADMIN,
    ("admin.staff", "POST"): ADMIN,
    ("admin.set_active", "POST"): ADMIN,
    ("api-docs.openapi_json", "GET"): API_PUBLIC,
    ("api_auth.Register", "POST"): API_PUBLIC,
    ("api_auth.Token", "POST"): API_PUBLIC,
    ("api_auth.Token", "DELETE"): API_SIGNED_IN,
    ("api_exam.Profiles", "GET"): API_PUBLIC,
    ("api_exam.Attempts", "POST"): API_SIGNED_IN,
    ("api_exam.AttemptDetail", "GET"): API_OWN,
    ("api_exam.Answer", "PUT"): API_OWN,
    ("api_exam.Finish", "POST"): API_OWN,
    ("api_booking.Centres", "GET"): API_PUBLIC,
    ("api_stats.CentreStats", "GET"): API_PUBLIC,
    ("api_stats.centres_csv", "GET"): API_PUBLIC,
    ("api_booking.Slots", "GET"): API_PUBLIC,
    ("api_booking.Bookings", "GET"): API_SIGNED_IN,
    ("api_booking.Bookings", "POST"): API_APPLICANT,
    ("api_booking.BookingItem", "GET"): API_OWN,
    ("api_booking.calendar", "GET"): API_OWN,
    ("api_booking.Confirm", "POST"): API_OWN,
    ("api_booking.Reschedule", "POST"): API_OWN,
    ("api_booking.Cancel", "POST"): API_OWN,
    ("api_staff.Roster", "GET"): API_STAFF_CENTRE,
    ("api_staff.CheckIn", "POST"): API_STAFF_CENTRE,
    ("api_staff.Result", "POST"): API_STAFF_CENTRE,
    ("api_staff.Block", "POST"): API_STAFF_CENTRE,
    ("api_appeals.Appeals", "POST"): API_APPLICANT,
    ("api_me.PhoneVerify", "POST"): API_SIGNED_IN,
    ("api_me.PhoneConfirm", "POST"): API_SIGNED_IN,
    ("api_me.TelegramLink", "POST"): API_SIGNED_IN,
    ("api_me.TelegramLink", "DELETE"): API_SIGNED_IN,
    ("api_me.Channels", "GET"): API_SIGNED_IN,
    ("api_me.Channels", "PUT"): API_SIGNED_IN,
    ("api_appeals.AppealItem", "GET"): (LOGIN, OK, 404, 404, OK, OK),
    ("rounds.index", "GET"): PUBLIC,
    ("rounds.detail", "GET"): PUBLIC,
    ("rounds.results", "GET"): PUBLIC,
    ("rounds.mine", "GET"): APPLICANT,
    ("rounds.save_request", "POST"): APPLICANT,
    ("rounds.move", "POST"): APPLICANT,
    ("rounds.withdraw", "POST"): OWN_PAGE,
    ("staff.rounds", "GET"): STAFF_CENTRE,
    ("staff.rounds", "POST"): STAFF_CENTRE,
    ("staff.round_detail", "GET"): STAFF_CENTRE,
    ("staff.round_detail", "POST"): STAFF_CENTRE,
    ("staff.cancel_round", "POST"): STAFF_CENTRE,
    ("staff.release_policy", "GET"): STAFF_CENTRE,
    ("staff.release_policy", "POST"): STAFF_CENTRE,
    ("api_rounds.Rounds", "GET"): API_PUBLIC,
    ("api_rounds.RoundItem", "GET"): API_PUBLIC,
    # Not drawn yet: 409 to everyone, which is not a refusal of the person.
    ("api_rounds.Results", "GET"): API_PUBLIC,
    ("api_rounds.RoundRequests", "POST"): API_APPLICANT,
    ("api_rounds.RequestItem", "GET"): API_OWN,
    ("api_rounds.RequestItem", "PUT"): API_OWN,
    ("api_rounds.RequestItem", "DELETE"): API_OWN,
    ("api_practice.Pack", "GET"): API_PUBLIC,
    ("api_practice.SessionState", "GET"): API_PUBLIC,
    ("api_practice.Answers", "POST"): API_SIGNED_IN,
    ("api_practice.Due", "GET"): API_SIGNED_IN,
    ("api_practice.Progress", "GET"): API_SIGNED_IN,
}


# URL variables that need another value than the seeded world's default.
SAMPLE_OVERRIDES = {
    "exam.edit_profile": {"code": "B"},
    "questions.image": {"name": "crossings-zebra-adjacent-lane.svg"},
}


METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _routes():
    app = create_app(TestingConfig)
    return sorted(
        (rule.endpoint, method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods
        if method in METHODS
    )


ROUTES = _routes()


def sample_url(endpoint: str, rule: str, ids: dict) -> str:
    values = {**ids, **SAMPLE_OVERRIDES.get(endpoint, {})}
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(values[match.group(1)]), rule)


def server_error(response) -> bool:
    """A 5xx, except the readiness probe's 503 (a test database is not migrated by Alembic)."""
    return response.status_code >= 500 and not (response.status_code == 503 and response.request.path == "/readyz")


def pages_for(role: str) -> list[tuple[str, str]]:
    """(endpoint, rule) of every HTML page the role may open."""
    index = {"anonymous": 0, "user": 1, "staff": 4, "admin": 5}[role]
    return [
        (endpoint, rule)
        for endpoint, method, rule in ROUTES
        if method == "GET"
        and MATRIX[(endpoint, method)][index] == OK
        and not rule.startswith(("/api/", "/static/"))
        and endpoint not in SAMPLE_OVERRIDES  # pictures and forms already covered elsewhere
    ]
