"""The published rows of the API and the CSV: one per centre, exam, licence category and month,
every figure suppressed as `suppression` says (None in JSON, an empty cell in the CSV)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from sqlalchemy.orm import Session

from app.centres.models import Centre
from app.core.spreadsheets import BYTE_ORDER_MARK, cell
from app.stats import figures
from app.stats.suppression import publish

COLUMNS = (
    "centre",
    "city",
    "exam",
    "category",
    "month",
    "exams_held",
    "pass_rate_first",
    "pass_rate_all",
    "no_show_rate",
    "waiting_days_median",
    "waiting_days_p90",
    "first_free_date",
    "utilisation",
    "slots_blocked",
    "places_cancelled_by_centre",
    "days_closed",
    "closure_reasons",
)
RATES = ("pass_rate_first", "pass_rate_all", "no_show_rate", "utilisation")


def rows(session: Session, centres: Sequence[Centre], period: figures.Period) -> list[dict]:
    by_id = {centre.id: centre for centre in centres}
    closed = figures.closures(session, centres, period)
    found = []
    for summary in figures.cells(session, centres, period):
        centre = by_id[summary.centre_id]
        published = publish([summary]).as_dict()
        for name in RATES:
            if published[name] is not None:
                published[name] = round(published[name], 4)
        closure = closed.get((centre.id, summary.month), figures.Closures(0, []))
        found.append(
            {
                "centre": centre.code,
                "city": centre.city_en,
                "exam": summary.exam_type,
                "category": summary.category,
                "month": f"{summary.month:%Y-%m}",
                **published,
                "first_free_date": summary.first_free_on,
                "days_closed": closure.days_closed,
                "closure_reasons": closure.reasons,
            }
        )
    return found


def to_csv(found: list[dict]) -> str:
    out = io.StringIO()
    out.write(BYTE_ORDER_MARK)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in found:
        values = {**row, "closure_reasons": "; ".join(row["closure_reasons"])}
        first_free = values["first_free_date"]
        values["first_free_date"] = first_free.isoformat() if first_free else None
        writer.writerow([cell(values[name]) for name in COLUMNS])
    return out.getvalue()
