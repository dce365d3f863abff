"""The JSON API under /api/v1: schema-first endpoints (flask-smorest), OpenAPI at
/api/v1/openapi.json, errors as application/problem+json.
"""

from __future__ import annotations

from flask_smorest import Api

from app.api.problems import ProblemResponses, ProblemSchema
from app.core.errors import register_error_handlers
from app.core.urls import MAX_ID, IdConverter


class KezekApi(Api):
    ERROR_SCHEMA = ProblemSchema  # the body app.core.errors sends, documented as `Problem`


api = KezekApi(
    spec_kwargs={
        "info": {"description": "Kezek: trial theory exams and exam-centre booking in Kazakhstan."},
        "servers": [{"url": "/"}],
        "extra_plugins": [ProblemResponses()],
    }
)


def init_api(app) -> None:
    from app.api import appeals, auth, booking, exam, me, practice, rounds, staff, stats
    from app.extensions import csrf

    api.register_converter(IdConverter, lambda converter: {"type": "integer", "minimum": 0, "maximum": MAX_ID})
    api.init_app(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.components.security_scheme("sessionCookie", {"type": "apiKey", "in": "cookie", "name": "session"})
    for blueprint in (
        auth.blp,
        exam.blp,
        booking.blp,
        rounds.blp,
        staff.blp,
        appeals.blp,
        stats.blp,
        me.blp,
        practice.blp,
    ):
        # Bearer tokens, never cookies: nothing for CSRF to ride on (practice checks its cookie
        # requests' X-CSRFToken itself).
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint, url_prefix=f"/api/v1{blueprint.url_prefix or ''}")
    # flask-smorest installs its own JSON error handler for the whole app; ours answers
    # problem+json under /api and error pages elsewhere.
    register_error_handlers(app)
