"""The month view's grid, rendered once per distinct content.

When a month opens, every applicant reloads the same few centre calendars. The grid is a pure
function of what it shows (the free places per day of one centre, exam, category and month) and of
the page's language, so each distinct grid is rendered once per process and reused while none of
its numbers changes. The places are still counted on every request (one query), so the page is
never stale: a booking that changes a number changes the key.
"""

from __future__ import annotations

from flask import request
from markupsafe import Markup

from app.booking.agenda import MonthAgenda
from app.centres.models import Centre
from app.core.i18n import current_language
from app.core.templating import rendered_once

GRIDS_PER_PROCESS = 2000  # ≈ 20 centres × a few exams and months × 3 languages; a few kB each


def month_grid(agenda: MonthAgenda, centre: Centre, exam_type: str, category: str) -> Markup:
    key = (
        current_language(),
        request.script_root,
        centre.code,
        exam_type,
        category,
        agenda.period.first_day,
        tuple(
            (day, places.exam_times, places.free, places.waitlist_slot) for day, places in sorted(agenda.days.items())
        ),
    )
    return rendered_once(
        "month_grids",
        key,
        "booking/_month.html",
        GRIDS_PER_PROCESS,
        agenda=agenda,
        period=agenda.period,
        centre_code=centre.code,
        exam_type=exam_type,
        category=category,
    )
