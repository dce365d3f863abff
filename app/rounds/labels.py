"""What people read for a round's phase and a request's outcome."""

from __future__ import annotations

from flask_babel import gettext as _

from app.rounds.models import Phase


def phase_name(phase: Phase | str) -> str:
    return {
        Phase.UPCOMING: _("Requests open soon"),
        Phase.OPEN: _("Open for requests"),
        Phase.DUE: _("Being drawn"),
        Phase.DRAWN: _("Drawn"),
        Phase.CANCELLED: _("Cancelled"),
    }[Phase(phase)]


def outcome_name(outcome: str | None) -> str:
    names = {"won": _("Won a place"), "lost": _("No place this time"), "ineligible": _("Not eligible at the draw")}
    return names.get(outcome or "", _("Waiting for the draw"))
