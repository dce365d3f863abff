"""Question browser and question images."""

from __future__ import annotations

import os

from flask import Blueprint, abort, current_app, render_template, request, send_from_directory

from app.core.i18n import current_language
from app.core.ranges import page_arg
from app.core.security import IMAGE_POLICY
from app.exam.browsing import all_topics, browse_query
from app.exam.references import reference_of
from app.extensions import db, talisman

bp = Blueprint("questions", __name__, url_prefix="/questions")


@bp.get("/")
def browse():
    topics = all_topics(db.session)
    topic_code = request.args.get("topic") or None
    if topic_code and topic_code not in {topic.code for topic in topics}:
        topic_code = None
    search = (request.args.get("q") or "").strip()[:200]
    page = page_arg()
    language = current_language()
    results = db.paginate(
        browse_query(language=language, topic_code=topic_code, search=search),
        page=page,
        per_page=current_app.config["QUESTIONS_PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "questions/browse.html",
        topics=topics,
        topic_code=topic_code,
        search=search,
        results=results,
        reference=lambda revision: reference_of(revision.reference_source, revision.reference_point, language),
    )


@bp.get("/images/<name>")
@talisman(content_security_policy=IMAGE_POLICY)
def image(name: str):
    if not name.endswith(".svg"):
        abort(404)
    response = send_from_directory(
        os.path.join(current_app.config["QUESTION_BANK_PATH"], "images"), name, max_age=86400
    )
    return response
