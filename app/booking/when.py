"""An exam's time as people read it, one style per language, in the centre's zone: the weekday,
the date as digits in Kazakh and Russian ("понедельник, 07.12.2026, 09:00"), spelt out in English
("Monday, December 7, 2026, 9:00 AM"); the 24-hour clock in Kazakh and Russian, never seconds or a
zone's name. Babel's own patterns for each part (the locale decides the order inside each)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from flask_babel import format_date, format_time, get_locale


def exam_when(moment: datetime, zone: str) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    locale = get_locale()
    if locale is not None and locale.language == "en":
        day = format_date(local, "full", rebase=False)
    else:
        day = f"{format_date(local, 'EEEE', rebase=False)}, {format_skeleton('yMMdd', local, locale=locale)}"
    return f"{day}, {format_time(local, 'short', rebase=False)}"
