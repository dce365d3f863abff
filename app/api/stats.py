"""GET /stats/centres and /stats/centres.csv: the public statistics per centre, exam, licence
category and month (no sign-in; rate-limited per client address). Figures built from fewer than
10 people are null (see app/stats/suppression.py)."""

from __future__ import annotations

from datetime import timedelta

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validates_schema

from app.centres.models import Centre
from app.core.clock import utcnow
from app.core.ranges import MAX_PERIOD_DAYS, check_schema_period, period, validate_supported_day
from app.extensions import db, limiter
from app.stats import figures, publication

blp = Blueprint("api_stats", __name__, description="Open statistics per exam centre")

DEFAULT_DAYS = 365


def _limit() -> str:
    return current_app.config["STATS_RATE_LIMIT"]


class StatsQuerySchema(Schema):
    city = fields.String(load_default=None, metadata={"description": "City name in any language, e.g. Almaty"})
    from_ = fields.Date(
        data_key="from",
        load_default=None,
        validate=validate_supported_day,
        metadata={"description": "A day of the first month (default: a year before `to`)"},
    )
    to = fields.Date(
        load_default=None,
        validate=validate_supported_day,
        metadata={"description": "A day of the last month (default: today)"},
    )

    @validates_schema
    def check_range(self, data, **kwargs):
        check_schema_period(data["from_"], data["to"], MAX_PERIOD_DAYS - 1)


class CentreMonthSchema(Schema):
    centre = fields.String(metadata={"description": "Centre code"})
    city = fields.String(metadata={"description": "The city's English name"})
    exam = fields.String(metadata={"description": "theory or practical"})
    category = fields.String()
    month = fields.String(metadata={"description": "YYYY-MM, the centre's calendar month"})
    exams_held = fields.Integer(allow_none=True, metadata={"description": "People examined"})
    pass_rate_first = fields.Float(allow_none=True, metadata={"description": "Share passed of first attempts"})
    pass_rate_all = fields.Float(allow_none=True, metadata={"description": "Share passed of all attempts"})
    no_show_rate = fields.Float(allow_none=True)
    waiting_days_median = fields.Integer(allow_none=True, metadata={"description": "Booking made → exam, days"})
    waiting_days_p90 = fields.Integer(allow_none=True)
    first_free_date = fields.Date(allow_none=True, metadata={"description": "At the last count (current month)"})
    utilisation = fields.Float(allow_none=True, metadata={"description": "Places booked ÷ places offered"})
    slots_blocked = fields.Integer()
    places_cancelled_by_centre = fields.Integer(allow_none=True)
    days_closed = fields.Integer(metadata={"description": "Days of the month with a closure or a blocked time"})
    closure_reasons = fields.List(fields.String())


def _published(query) -> list[dict]:
    centres = list(db.session.scalars(db.select(Centre).order_by(Centre.code)))
    if query["city"]:
        wanted = query["city"].strip().casefold()
        centres = [c for c in centres if wanted in {c.city_kk.casefold(), c.city_ru.casefold(), c.city_en.casefold()}]
    today = utcnow().date()
    first_day, last_day = period(query["from_"], query["to"], default=(today - timedelta(days=DEFAULT_DAYS), today))
    return publication.rows(db.session, centres, figures.Period.of_days(first_day, last_day))


@blp.route("/stats/centres")
class CentreStats(MethodView):
    decorators = [limiter.limit(_limit)]

    @blp.arguments(StatsQuerySchema, location="query")
    @blp.response(200, CentreMonthSchema(many=True))
    @blp.alt_response(429, description="`rate-limited`: too many requests from this address")
    def get(self, query):
        """Figures per centre, exam, licence category and month; null where too few people."""
        return _published(query)


@blp.route("/stats/centres.csv")
@blp.arguments(StatsQuerySchema, location="query")
@blp.doc(responses={"200": {"description": "The same rows as CSV (UTF-8 with BOM)", "content": {"text/csv": {}}}})
@blp.alt_response(429, description="`rate-limited`: too many requests from this address")
@limiter.limit(_limit)
def centres_csv(query):
    """The figures as a CSV file; empty cells where too few people."""
    return Response(
        publication.to_csv(_published(query)),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=kezek-centre-statistics.csv"},
    )
