"""FSRS replaces the Leitner boxes: the rating of an answer, the cards, the migration of the
boxes, and the readiness estimate from predicted recall."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from fsrs import Card, Rating, State

from app import create_app
from app.exam import learner_progress, readiness_estimate, spaced_repetition
from app.exam.models import ReviewCard
from app.exam.readiness_estimate import PoolQuestion
from app.exam.spaced_repetition import Outcome
from app.extensions import db
from config import TestingConfig
from tests.conftest import BACKENDS
from tests.ops.test_migrations import empty_database_url

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("correct", "seconds", "rating"),
    [
        (True, None, Rating.Good),
        (True, 12, Rating.Good),
        (True, spaced_repetition.SLOW_SECONDS, Rating.Good),
        (True, spaced_repetition.SLOW_SECONDS + 1, Rating.Hard),
        (False, None, Rating.Again),
        (False, 5, Rating.Again),
        (False, 300, Rating.Again),
    ],
)
def test_an_answer_is_rated_for_fsrs(correct, seconds, rating):
    assert spaced_repetition.rating_for(correct, seconds) == rating


def test_desired_retention_is_configurable(app_factory):
    app = app_factory(FSRS_RETENTION=0.8)
    with app.app_context():
        assert spaced_repetition.current_scheduler().desired_retention == 0.8
    with app_factory().app_context():
        assert spaced_repetition.current_scheduler().desired_retention == 0.9


def test_answers_review_the_cards_and_fill_due_today(app, bank, make_user):
    user = make_user()
    with app.app_context():
        right, wrong = db.session.scalars(sa.text("SELECT id FROM question ORDER BY id LIMIT 2")).all()
        learner_progress.record_outcomes(
            db.session, user.id, [Outcome(right, True, NOW, 10), Outcome(wrong, False, NOW, 10)], NOW
        )
        db.session.commit()
        cards = {card.question_id: card for card in db.session.scalars(sa.select(ReviewCard))}
        assert cards[wrong].due_at == NOW + timedelta(minutes=1)  # Again: the first learning step
        assert cards[right].due_at == NOW + timedelta(minutes=10)  # Good: the second one
        assert cards[right].stability > cards[wrong].stability
        assert [card.question_id for card in spaced_repetition.due_cards(db.session, user.id, "B", NOW)] == []
        later = NOW + timedelta(minutes=5)
        assert [c.question_id for c in spaced_repetition.due_cards(db.session, user.id, "B", later)] == [wrong]
        assert learner_progress.queue_sizes(db.session, user.id, "B", later)["review"] == 1
        # Good twice more graduates the card to days-long reviews.
        for step in (1, 2):
            moment = NOW + timedelta(days=step)
            learner_progress.record_outcomes(db.session, user.id, [Outcome(right, True, moment)], moment)
        db.session.commit()
        card = db.session.get(ReviewCard, (user.id, right))
        assert card.state == State.Review
        assert card.reviews == 3
        assert card.due_at - (NOW + timedelta(days=2)) >= timedelta(days=2)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_migration_maps_each_leitner_box_to_a_stability(backend, tmp_path):
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": empty_database_url(backend, tmp_path)})
    with app.app_context():
        upgrade(revision="0015")
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO user_account (id, email, password_hash, full_name, iin, role, active, created_at,"
                    " updated_at) VALUES (1, 'a@example.kz', 'x', 'A', '030409600001', 'user', true, :now, :now)"
                ),
                {"now": NOW.replace(tzinfo=None)},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO topic (id, code, position, name_kk, name_ru, name_en)"
                    " VALUES (1, 't', 1, 't', 't', 't')"
                )
            )
            for box in range(0, 6):
                connection.execute(
                    sa.text("INSERT INTO question (id, code, topic_id, created_at) VALUES (:id, :code, 1, :now)"),
                    {"id": box + 1, "code": f"q{box}", "now": NOW.replace(tzinfo=None)},
                )
                connection.execute(
                    sa.text(
                        "INSERT INTO question_progress (user_id, question_id, times_seen, times_correct, last_seen_at,"
                        " last_correct, in_mistakes, right_streak, box, due_at) VALUES (1, :q, 3, 2, :seen, true,"
                        " false, 1, :box, :due)"
                    ),
                    {
                        "q": box + 1,
                        "box": box,
                        "seen": NOW.replace(tzinfo=None),
                        "due": None if box == 0 else (NOW + timedelta(days=box)).replace(tzinfo=None),
                    },
                )
        upgrade(revision="0018")
        cards = {card.question_id: card for card in db.session.scalars(sa.select(ReviewCard))}
        assert {q: cards[q].stability for q in cards} == {2: 1.0, 3: 3.0, 4: 7.0, 5: 14.0, 6: 30.0}
        assert all(card.state == State.Review and card.difficulty == 5.0 for card in cards.values())
        assert cards[4].due_at == NOW + timedelta(days=3)
        assert cards[4].last_review_at == NOW
        assert cards[4].reviews == 3
        # A box-5 card a week after its last review is still well remembered; box 1 less so.
        schedule = spaced_repetition.scheduler(0.9)
        week = NOW + timedelta(days=7)
        assert spaced_repetition.recall(spaced_repetition.card_of(cards[6]), week, schedule) > 0.95
        assert spaced_repetition.recall(spaced_repetition.card_of(cards[2]), week, schedule) < 0.8
        db.session.remove()
        db.engine.dispose()


PROFILE = SimpleNamespace(questions=40, pass_mark=32, quotas={"a": 20, "b": 20})
POOL = [PoolQuestion(i, "a" if i < 50 else "b", 1 / 3) for i in range(100)]


def _cards(stability: float, seen: int = 100) -> dict[int, Card]:
    last = NOW - timedelta(days=5)
    return {
        i: Card(card_id=i, state=State.Review, stability=stability, difficulty=5.0, due=NOW, last_review=last)
        for i in range(seen)
    }


def test_readiness_is_zero_with_no_answers():
    schedule = spaced_repetition.scheduler(0.9)
    assert readiness_estimate.estimate(POOL, {}, PROFILE, NOW, schedule) == 0.0
    assert readiness_estimate.days_to_ready(POOL, {}, PROFILE, NOW, 0, schedule) is None


def test_readiness_grows_with_recall():
    schedule = spaced_repetition.scheduler(0.9)
    chances = [
        readiness_estimate.estimate(POOL, _cards(stability, seen), PROFILE, NOW, schedule)
        for seen, stability in [(10, 1.0), (50, 1.0), (100, 1.0), (100, 5.0), (100, 30.0), (100, 365.0)]
    ]
    assert chances == sorted(chances)
    assert chances[0] < 0.001
    assert chances[-1] > 0.99
    # The mean recall per topic is what the exam's places are drawn with.
    recall = readiness_estimate.mean_recall(POOL, _cards(30.0, 50), NOW, schedule)
    assert recall["b"] == pytest.approx(1 / 3)
    assert recall["a"] > 0.95


def test_days_to_ready_follow_the_pace():
    schedule = spaced_repetition.scheduler(0.9)
    assert readiness_estimate.days_to_ready(POOL, _cards(365.0), PROFILE, NOW, 0, schedule) == 0
    slow = readiness_estimate.days_to_ready(POOL, {}, PROFILE, NOW, 10, schedule)
    fast = readiness_estimate.days_to_ready(POOL, {}, PROFILE, NOW, 50, schedule)
    assert fast is not None
    assert slow is not None
    assert 0 < fast < slow
