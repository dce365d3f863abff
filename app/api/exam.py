"""Exam endpoints: profiles, attempts, answers, finishing, review."""

from __future__ import annotations

from flask import g, url_for
from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from app.auth.tokens import bearer_required
from app.core.clock import utcnow
from app.core.errors import FieldErrors
from app.core.i18n import LANGUAGES
from app.core.urls import MAX_ID
from app.exam import answering, attempt_access, drawing, finishing
from app.exam.models import AttemptMode, ExamProfile, Topic
from app.extensions import db

blp = Blueprint("api_exam", __name__, url_prefix="", description="Trial exams and practice")


class ProfileSchema(Schema):
    code = fields.String()
    title = fields.String()
    questions = fields.Integer()
    seconds = fields.Integer()
    pass_mark = fields.Integer()
    max_mistakes = fields.Integer()


class StartSchema(Schema):
    profile = fields.String(required=True)
    lang = fields.String(required=True, validate=validate.OneOf(LANGUAGES))
    mode = fields.String(load_default=AttemptMode.EXAM, validate=validate.OneOf(AttemptMode.ALL))
    topic = fields.String(load_default=None, allow_none=True)


class OptionSchema(Schema):
    id = fields.Integer()
    text = fields.String()


class QuestionSchema(Schema):
    id = fields.Integer()
    position = fields.Integer()
    text = fields.String()
    image_url = fields.String(allow_none=True)
    options = fields.List(fields.Nested(OptionSchema))
    chosen_option_id = fields.Integer(allow_none=True)
    flagged = fields.Boolean()
    # Only once the attempt is finished (or, in practice modes, once the question is answered):
    correct_option_id = fields.Integer()
    explanation = fields.String()


class AttemptSchema(Schema):
    id = fields.Integer()
    mode = fields.String()
    status = fields.String()
    lang = fields.String()
    profile = fields.String()
    started_at = fields.DateTime()
    deadline = fields.DateTime(allow_none=True)
    questions = fields.List(fields.Nested(QuestionSchema))


class AnswerSchema(Schema):
    option_id = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))


class AnswerResultSchema(Schema):
    question_id = fields.Integer()
    option_id = fields.Integer()
    correct = fields.Boolean(metadata={"description": "Only in practice modes, where feedback is immediate"})


class TopicScoreSchema(Schema):
    topic = fields.String()
    correct = fields.Integer()
    total = fields.Integer()


class ResultSchema(Schema):
    status = fields.String()
    correct = fields.Integer()
    total = fields.Integer()
    passed = fields.Boolean(allow_none=True)
    by_topic = fields.List(fields.Nested(TopicScoreSchema))


def _owner() -> attempt_access.Owner:
    return attempt_access.Owner(user_id=g.api_user.id)


def _attempt(attempt_id: int):
    try:
        attempt = attempt_access.get_attempt(db.session, attempt_id, _owner())
    except attempt_access.AttemptNotFound:
        abort(404)
    if finishing.finish_if_expired(db.session, attempt, utcnow()):
        db.session.commit()
    return attempt


def _serialize(attempt) -> dict:
    language = attempt.language
    questions = []
    for item in attempt_access.items_with_content(db.session, attempt):
        revision = item.revision
        question = {
            "id": item.question_id,
            "position": item.position,
            "text": getattr(revision, f"text_{language}"),
            "image_url": url_for("questions.image", name=revision.image, _external=True) if revision.image else None,
            "options": [{"id": option.id, "text": getattr(option, f"text_{language}")} for option in item.options],
            "chosen_option_id": item.chosen_option_id,
            "flagged": item.flagged,
        }
        if not attempt.is_open or (attempt.gives_feedback and item.answered):
            question["correct_option_id"] = revision.correct_option.id
            question["explanation"] = getattr(revision, f"explanation_{language}")
        questions.append(question)
    return {
        "id": attempt.id,
        "mode": attempt.mode,
        "status": attempt.status,
        "lang": language,
        "profile": attempt.profile.code,
        "started_at": attempt.started_at,
        "deadline": attempt.deadline,
        "questions": questions,
    }


@blp.route("/exam/profiles")
class Profiles(MethodView):
    @blp.response(200, ProfileSchema(many=True))
    def get(self):
        """Exam formats per licence category."""
        return db.session.scalars(select(ExamProfile).order_by(ExamProfile.code)).all()


@blp.route("/attempts")
class Attempts(MethodView):
    @bearer_required
    @blp.arguments(StartSchema)
    @blp.response(201, AttemptSchema)
    def post(self, data):
        """Start an exam or a practice mode. The key never leaves the server before the end."""
        profile = db.session.scalar(select(ExamProfile).where(ExamProfile.code == data["profile"]))
        if profile is None:
            raise FieldErrors({"profile": [_l("Unknown exam profile.")]})
        topic = db.session.scalar(select(Topic).where(Topic.code == data["topic"])) if data["topic"] else None
        attempt = drawing.start_attempt(
            db.session,
            owner=_owner(),
            profile=profile,
            language=data["lang"],
            mode=data["mode"],
            topic=topic,
            now=utcnow(),
        )
        db.session.commit()
        return _serialize(attempt)


@blp.route("/attempts/<int:attempt_id>")
class AttemptDetail(MethodView):
    @bearer_required
    @blp.response(200, AttemptSchema)
    def get(self, attempt_id):
        """The attempt; once finished, with the right answers and explanations."""
        return _serialize(_attempt(attempt_id))


@blp.route("/attempts/<int:attempt_id>/answers/<int:question_id>")
class Answer(MethodView):
    @bearer_required
    @blp.arguments(AnswerSchema)
    @blp.response(200, AnswerResultSchema)
    @blp.alt_response(409, description="attempt-closed: finished, or the deadline has passed")
    def put(self, data, attempt_id, question_id):
        """Choose an option (an exam answer may be changed until the end)."""
        try:
            item = attempt_access.get_attempt_item(db.session, attempt_id, question_id, _owner())
        except attempt_access.AttemptNotFound:
            abort(404)
        attempt = item.attempt
        try:
            correct = answering.answer(db.session, attempt, item, data["option_id"], utcnow())
        except attempt_access.AttemptClosed:
            db.session.commit()  # keep the server's finishing of an expired exam
            raise
        body = {"question_id": question_id, "option_id": data["option_id"]}
        if attempt.gives_feedback:
            body["correct"] = correct
        db.session.commit()
        return body


@blp.route("/attempts/<int:attempt_id>/finish")
class Finish(MethodView):
    @bearer_required
    @blp.response(200, ResultSchema)
    def post(self, attempt_id):
        """Finish and score (finishing twice answers the same result)."""
        attempt = _attempt(attempt_id)
        finishing.finish_attempt(db.session, attempt, utcnow())
        db.session.commit()
        result = finishing.result_of(attempt, attempt_access.items_with_content(db.session, attempt))
        return {
            "status": attempt.status,
            "correct": result.correct,
            "total": result.total,
            "passed": result.passed,
            "by_topic": [
                {"topic": score.topic.code, "correct": score.correct, "total": score.total} for score in result.by_topic
            ],
        }
