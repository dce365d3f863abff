"""Trial exam and practice pages. Thin: the rules live in `drawing`, `answering`, `finishing`,
`learner_progress`, `readiness_estimate` and `statistics`; the views map their outcomes to pages."""

from __future__ import annotations

import secrets

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.access import role_required
from app.auth.models import Role
from app.core import spreadsheets
from app.core.clock import utcnow
from app.core.errors import DomainError
from app.core.forms import run_action
from app.core.i18n import current_language
from app.exam import (
    account_link,
    answering,
    attempt_access,
    drawing,
    finishing,
    learner_progress,
    page_parts,
    profiles,
    readiness_estimate,
    statistics,
)
from app.exam.browsing import all_topics
from app.exam.charts import score_trend
from app.exam.forms import ProfileForm, StartForm
from app.exam.models import AttemptMode, ExamProfile, Topic
from app.exam.references import reference_of
from app.extensions import db, limiter

bp = Blueprint("exam", __name__, url_prefix="/exam")
bp.record_once(lambda _state: account_link.connect())


def current_owner(create: bool = False) -> attempt_access.Owner | None:
    """The signed-in user, or this browser's anonymous key (made on first use)."""
    if current_user.is_authenticated:
        return attempt_access.Owner(user_id=current_user.id)
    key = _anonymous_key(create)
    return attempt_access.Owner(anonymous_key=key) if key else None


def _anonymous_key(create: bool) -> str | None:
    key = session.get(account_link.ANONYMOUS_KEY)
    if key is None and create:
        key = session[account_link.ANONYMOUS_KEY] = secrets.token_urlsafe(24)
    return key


def load_attempt(attempt_id: int):
    owner = current_owner()
    if owner is None:
        abort(404)
    try:
        attempt = attempt_access.get_attempt(db.session, attempt_id, owner)
    except attempt_access.AttemptNotFound:
        abort(404)
    if finishing.finish_if_expired(db.session, attempt, utcnow()):
        db.session.commit()
    return attempt


def start_form(all_profiles: list[ExamProfile], topics: list[Topic]) -> StartForm:
    form = StartForm()
    form.profile.choices = [(profile.code, profile.title) for profile in all_profiles]
    form.topic.choices = [("", "")] + [(topic.code, topic.name) for topic in topics]
    if not form.is_submitted():
        form.language.data = current_language()
        form.profile.data = "B" if any(p.code == "B" for p in all_profiles) else None
    return form


@bp.get("/")
def index():
    all_profiles = profiles.all_profiles(db.session)
    topics = all_topics(db.session)
    owner = current_owner()
    open_attempts = attempt_access.open_attempts(db.session, owner) if owner else []
    queues = {}
    if current_user.is_authenticated and all_profiles:
        queues = learner_progress.queue_sizes(db.session, current_user.id, _chosen_category(all_profiles), utcnow())
    return render_template(
        "exam/index.html",
        form=start_form(all_profiles, topics),
        profiles=all_profiles,
        topics=topics,
        open_attempts=open_attempts,
        queues=queues,
        modes=AttemptMode,
    )


def _chosen_category(all_profiles: list[ExamProfile]) -> str:
    wanted = request.args.get("category", "B")
    return wanted if any(profile.category == wanted for profile in all_profiles) else all_profiles[0].category


def _anonymous_start_limit() -> str:
    return current_app.config["EXAM_ANONYMOUS_START_RATE_LIMIT"]


def _anonymous_session_limit() -> str:
    return current_app.config["EXAM_ANONYMOUS_SESSION_RATE_LIMIT"]


def _anonymous_session_key() -> str:
    # Made here if new: the limit is checked before the view, and the first start must count.
    return "exam-session:" + _anonymous_key(create=True)


def _signed_in() -> bool:
    return current_user.is_authenticated


@bp.post("/start")
# Anonymous trial exams, per client address and per browser session (signed-in people answer
# for their starts with their account).
@limiter.limit(_anonymous_start_limit, exempt_when=_signed_in)
@limiter.limit(_anonymous_session_limit, key_func=_anonymous_session_key, exempt_when=_signed_in)
def start():
    all_profiles = profiles.all_profiles(db.session)
    topics = all_topics(db.session)
    form = start_form(all_profiles, topics)
    if not form.validate_on_submit():
        flash(_("Choose a licence category and a language."), "error")
        return redirect(url_for("exam.index"))
    profile = next(p for p in all_profiles if p.code == form.profile.data)
    topic = next((t for t in topics if t.code == form.topic.data), None)
    # Not `run_action`: an attempt in progress leads to that attempt, and an empty practice queue
    # is news rather than an error.
    try:
        attempt = drawing.start_attempt(
            db.session,
            owner=current_owner(create=True),
            profile=profile,
            language=form.language.data,
            mode=form.mode.data or AttemptMode.EXAM,
            topic=topic,
            now=utcnow(),
        )
    except attempt_access.AttemptInProgress as error:
        db.session.rollback()
        flash(str(error.message), "info")
        return redirect(url_for("exam.resume", attempt_id=error.attempt_id))
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "info" if isinstance(error, drawing.NothingToPractise) else "error")
        return redirect(url_for("exam.index"))
    db.session.commit()
    return redirect(url_for("exam.question", attempt_id=attempt.id, position=attempt.current_position))


@bp.get("/attempts/<int:attempt_id>")
def resume(attempt_id: int):
    attempt = load_attempt(attempt_id)
    if not attempt.is_open:
        return redirect(url_for("exam.result", attempt_id=attempt.id))
    return redirect(url_for("exam.question", attempt_id=attempt.id, position=attempt.current_position))


@bp.get("/attempts/<int:attempt_id>/<int:position>")
def question(attempt_id: int, position: int):
    attempt = load_attempt(attempt_id)
    if not attempt.is_open:
        return redirect(url_for("exam.result", attempt_id=attempt.id))
    if not 1 <= position <= attempt.total:
        abort(404)
    items = attempt_access.items_with_content(db.session, attempt)
    item = items[position - 1]
    attempt_access.mark_shown(db.session, attempt, position, utcnow())
    # Rendered before the commit, which would expire every object the page reads (and reload them).
    page = render_template(
        "exam/question.html",
        attempt=attempt,
        items=items,
        item=item,
        language=attempt.language,
        remaining=attempt_access.remaining_seconds(attempt, utcnow()),
        feedback=attempt.gives_feedback and item.answered,
        reference=reference_of(item.revision.reference_source, item.revision.reference_point, attempt.language),
        grid=page_parts.grid_window(page_parts.grid(items, feedback=attempt.gives_feedback), position),
        grid_buttons=page_parts.grid_buttons,
    )
    db.session.commit()
    return page


@bp.post("/attempts/<int:attempt_id>/<int:position>")
def submit_answer(attempt_id: int, position: int):
    attempt = load_attempt(attempt_id)
    # "stay": exam mode's script saving a choice as it is made; it reads a JSON answer.
    background = request.form.get("go") == "stay"
    if not attempt.is_open:
        if background:
            return jsonify(saved=False, finished=True), 409
        flash(_("The time is up: your exam was finished and scored."), "info")
        return redirect(url_for("exam.result", attempt_id=attempt.id))
    if not 1 <= position <= attempt.total:
        abort(404)
    item = attempt_access.item_at(attempt, position)
    option = request.form.get("option", type=int)
    if attempt.gives_feedback and option is None and request.form.get("go", "next") == "next" and not item.answered:
        flash(_("Choose an answer first, then check it."), "error")  # "Check" never skips a question
        return redirect(url_for("exam.question", attempt_id=attempt.id, position=position))
    # Not `run_action`: an answer after the deadline keeps the finish it caused and shows the result.
    try:
        answering.submit_answer(db.session, attempt, item, option, request.form.get("flag") == "1", utcnow())
    except attempt_access.AttemptClosed:
        db.session.commit()
        if background:
            return jsonify(saved=False, finished=True), 409
        flash(_("The time is up: your exam was finished and scored."), "info")
        return redirect(url_for("exam.result", attempt_id=attempt.id))
    except DomainError as error:
        db.session.rollback()
        if background:
            return jsonify(saved=False, message=str(error.message)), error.status
        flash(str(error.message), "error")
        return redirect(url_for("exam.question", attempt_id=attempt.id, position=position))
    db.session.commit()
    if background:
        return jsonify(saved=True, position=position)
    return redirect(_after_answer(attempt, position, request.form.get("go", "next"), answered=option is not None))


def _after_answer(attempt, position: int, go: str, answered: bool) -> str:
    if attempt.gives_feedback and answered and go == "next":
        return url_for("exam.question", attempt_id=attempt.id, position=position)  # show the feedback first
    if go == "finish":
        return url_for("exam.confirm_finish", attempt_id=attempt.id)
    if go == "prev":
        target = max(1, position - 1)
    elif go.isdigit():
        target = min(max(1, int(go)), attempt.total)
    elif position >= attempt.total:
        return url_for("exam.confirm_finish", attempt_id=attempt.id)
    else:
        target = position + 1
    return url_for("exam.question", attempt_id=attempt.id, position=target)


@bp.post("/attempts/<int:attempt_id>/language")
def switch_language(attempt_id: int):
    attempt = load_attempt(attempt_id)
    try:
        answering.set_language(attempt, request.form.get("lang", ""))
    except DomainError:
        abort(400)
    db.session.commit()
    position = request.form.get("position", type=int) or attempt.current_position
    return redirect(url_for("exam.question", attempt_id=attempt.id, position=position))


@bp.route("/attempts/<int:attempt_id>/finish", methods=["GET", "POST"])
def confirm_finish(attempt_id: int):
    attempt = load_attempt(attempt_id)
    if attempt.is_open and request.method == "POST":
        finishing.finish_attempt(db.session, attempt, utcnow())
        db.session.commit()
    if not attempt.is_open:
        return redirect(url_for("exam.result", attempt_id=attempt.id))
    return render_template(
        "exam/finish.html",
        attempt=attempt,
        unanswered=[item for item in attempt.items if not item.answered],
        flagged=[item for item in attempt.items if item.flagged],
        remaining=attempt_access.remaining_seconds(attempt, utcnow()),
    )


@bp.get("/attempts/<int:attempt_id>/result")
def result(attempt_id: int):
    attempt = load_attempt(attempt_id)
    if attempt.is_open:
        return redirect(url_for("exam.question", attempt_id=attempt.id, position=attempt.current_position))
    items = attempt_access.items_with_content(db.session, attempt)
    show = request.args.get("show") if request.args.get("show") in page_parts.RESULT_FILTERS else "all"
    return render_template(
        "exam/result.html",
        attempt=attempt,
        items=items,
        shown=page_parts.filter_items(items, show),
        show=show,
        counts=page_parts.filter_counts(items),
        weakest=page_parts.weakest_topics(items),
        result=finishing.result_of(attempt, items),
        reference=lambda revision: reference_of(revision.reference_source, revision.reference_point, attempt.language),
    )


@bp.get("/history")
@login_required
def history():
    attempts = finishing.history(db.session, current_user.id)
    return render_template("exam/history.html", attempts=attempts, chart=score_trend(list(reversed(attempts))))


@bp.get("/readiness")
@login_required
def readiness():
    all_profiles = profiles.all_profiles(db.session)
    if not all_profiles:
        abort(404)
    code = request.args.get("profile", "B")
    profile = next((p for p in all_profiles if p.code == code), all_profiles[0])
    estimate = readiness_estimate.readiness(db.session, current_user.id, profile, utcnow())
    return render_template(
        "exam/readiness.html",
        profile=profile,
        profiles=all_profiles,
        estimate=estimate,
        target=round(readiness_estimate.TARGET * 100),
        horizon=readiness_estimate.HORIZON_DAYS,
        pace_days=readiness_estimate.PACE_DAYS,
    )


@bp.get("/statistics")
@role_required(Role.STAFF, Role.ADMIN)
def item_statistics():
    minimum = current_app.config["ITEM_STATS_MIN_ANSWERS"]
    rows = statistics.statistics_table(db.session, minimum)
    return render_template("exam/statistics.html", rows=rows, minimum=minimum, flag_names=statistics.FLAG_NAMES)


@bp.get("/statistics.csv")
@role_required(Role.STAFF, Role.ADMIN)
def item_statistics_csv():
    rows = statistics.statistics_table(db.session, current_app.config["ITEM_STATS_MIN_ANSWERS"])
    return spreadsheets.download(statistics.to_csv(rows, spreadsheets.separator_arg()), "item-statistics.csv")


@bp.route("/profiles/<code>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_profile(code: str):
    profile = profiles.profile_by_code(db.session, code)
    if profile is None:
        abort(404)
    topics = all_topics(db.session)
    form = ProfileForm(obj=profile)
    quotas = {topic.code: profile.quotas.get(topic.code, 0) for topic in topics}

    def save() -> None:
        nonlocal quotas  # the page shows the submitted quotas again with the problems found in them
        quotas = {topic.code: request.form.get(f"quota-{topic.code}", 0, type=int) or 0 for topic in topics}
        profiles.update_profile(
            db.session,
            profile,
            seconds=form.seconds.data,
            questions=form.questions.data,
            pass_mark=form.pass_mark.data,
            quotas=quotas,
        )

    if run_action(save, form=form, success=_("The exam profile is saved.")).done:
        return redirect(url_for("exam.edit_profile", code=code))
    return render_template(
        "exam/profile_edit.html",
        form=form,
        profile=profile,
        topics=topics,
        quotas=quotas,
        available=profiles.available_per_topic(db.session, profile.category),
    ), 422 if form.errors else 200
