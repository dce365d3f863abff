"""What people read for a round's phase, a request's outcome and its choices."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import format_date
from flask_babel import gettext as _

from app.rounds.lottery import DayPart, parse_choice
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


def day_part_label(day_part: DayPart) -> str:
    """ "Thursday 10 December: any morning time (before 12:00)", in the reader's language."""
    day = format_date(day_part.day, "EEEE d MMMM")
    labels = {
        "morning": _("%(day)s: any morning time (before 12:00)", day=day),
        "afternoon": _("%(day)s: any afternoon time (12:00–17:00)", day=day),
        "evening": _("%(day)s: any evening time (from 17:00)", day=day),
    }
    return labels[day_part.part]


def choice_label(choice: int | dict, slot_labels: Mapping[int, str]) -> str:
    """A stored choice as people read it: the slot's time, or the day and part of day."""
    parsed = parse_choice(choice)
    if isinstance(parsed, DayPart):
        return day_part_label(parsed)
    return slot_labels.get(parsed, str(parsed))
