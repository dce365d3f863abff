"""How likely a learner is to pass the official exam, from FSRS's predicted recall.

Method (explained on the page too):
- For every active question of the category, FSRS predicts the chance of recalling it right now
  from its card (stability, time since the last review). A question never answered counts at the
  chance of guessing it (one over its number of options).
- The exam draws `quota` questions from each topic's pool at random. Each place of a topic is
  right with the mean recall of that topic's pool (exact for one drawn question; for several, the
  draw without replacement makes the count a little less spread than assumed, so the estimate errs
  slightly toward the middle). The number right is then a Poisson-binomial sum over the 40 places,
  computed exactly by convolution; the chance of passing is the chance of at least `pass_mark`.
- With no answer at all the estimate is 0.
- "Days to ready": the learner's pace is their answers per day over the last `PACE_DAYS` days. Day
  by day, we let them review that many questions — the due ones first, then new ones — answering
  right where the predicted recall is at least one half, and let FSRS schedule each card; the
  first day the chance of passing reaches `TARGET` is the answer (none within `HORIZON_DAYS`, or
  no pace, gives no answer).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from fsrs import Card, Scheduler
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.exam.models import (
    Attempt,
    AttemptQuestion,
    ExamProfile,
    PracticeAnswer,
    Question,
    QuestionCategory,
    QuestionOption,
    QuestionRevision,
    ReviewCard,
    Topic,
)
from app.exam.spaced_repetition import card_of, current_scheduler, rating_for

PACE_DAYS = 14
HORIZON_DAYS = 120
TARGET = 0.9


@dataclass(frozen=True)
class PoolQuestion:
    question_id: int
    topic: str
    guess: float  # the chance of guessing it right


@dataclass(frozen=True)
class TopicRecall:
    topic: Topic
    pool: int  # active questions of the category in the topic
    seen: int  # of them, with an FSRS card
    recall: float  # mean predicted recall over the pool

    @property
    def estimate(self) -> float:
        return self.recall


@dataclass(frozen=True)
class Readiness:
    probability: float
    answered: int  # questions with a card
    topics: list[TopicRecall]
    pace: float  # answers per day, last PACE_DAYS days
    days_to_ready: int | None

    @property
    def weakest(self) -> list[TopicRecall]:
        return sorted(self.topics, key=lambda item: (item.recall, item.seen))[:3]


def pass_probability(accuracy_by_topic: dict[str, float], quotas: dict[str, int], pass_mark: int) -> float:
    """P(at least pass_mark right) when `quotas[t]` questions are answered right with p_t each."""
    distribution = [1.0]  # distribution[k] = P(k right so far)
    for topic, quota in quotas.items():
        p = accuracy_by_topic.get(topic, 0.0)
        for _ in range(quota):
            following = [0.0] * (len(distribution) + 1)
            for right, probability in enumerate(distribution):
                following[right] += probability * (1 - p)
                following[right + 1] += probability * p
            distribution = following
    return sum(distribution[pass_mark:])


def mean_recall(
    pool: list[PoolQuestion], cards: dict[int, Card], now: datetime, schedule: Scheduler
) -> dict[str, float]:
    """Each topic's mean predicted recall over its pool (a question without a card: its guess)."""
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    for question in pool:
        card = cards.get(question.question_id)
        value = schedule.get_card_retrievability(card, now) if card is not None else question.guess
        totals[question.topic][0] += value
        totals[question.topic][1] += 1
    return {topic: total / count for topic, (total, count) in totals.items()}


def estimate(
    pool: list[PoolQuestion], cards: dict[int, Card], profile: ExamProfile, now: datetime, schedule: Scheduler
) -> float:
    """The chance of passing now; 0 when the learner has answered nothing."""
    if not cards:
        return 0.0
    return pass_probability(mean_recall(pool, cards, now, schedule), profile.quotas, profile.pass_mark)


def days_to_ready(
    pool: list[PoolQuestion],
    cards: dict[int, Card],
    profile: ExamProfile,
    now: datetime,
    pace: float,
    schedule: Scheduler,
) -> int | None:
    """Days of review at `pace` answers a day until the chance of passing reaches TARGET."""
    if cards and estimate(pool, cards, profile, now, schedule) >= TARGET:
        return 0
    per_day = round(pace)
    if per_day < 1:
        return None
    cards = dict(cards)
    unseen = [question for question in pool if question.question_id not in cards]
    guesses = {question.question_id: question.guess for question in pool}
    for day in range(1, HORIZON_DAYS + 1):
        moment = now + timedelta(days=day)
        due = sorted((card.due, question_id) for question_id, card in cards.items() if card.due <= moment)
        chosen = [question_id for _, question_id in due[:per_day]]
        while len(chosen) < per_day and unseen:
            chosen.append(unseen.pop(0).question_id)
        for question_id in chosen:
            card = cards.get(question_id)
            if card is None:
                card = Card(card_id=question_id, due=moment)
                predicted = guesses[question_id]
            else:
                predicted = schedule.get_card_retrievability(card, moment)
            cards[question_id], _ = schedule.review_card(card, rating_for(predicted >= 0.5), review_datetime=moment)
        if estimate(pool, cards, profile, moment, schedule) >= TARGET:
            return day
    return None


def category_pool(session: Session, category: str) -> list[PoolQuestion]:
    """The category's active questions, each with its topic and chance of a guess."""
    rows = session.execute(
        select(Question.id, Topic.code, func.count(QuestionOption.id))
        .join(Topic, Topic.id == Question.topic_id)
        .join(QuestionCategory, QuestionCategory.question_id == Question.id)
        .join(QuestionRevision, (QuestionRevision.question_id == Question.id) & QuestionRevision.is_current)
        .join(QuestionOption, QuestionOption.revision_id == QuestionRevision.id)
        .where(QuestionCategory.category == category, Question.retired_at.is_(None))
        .group_by(Question.id, Topic.code)
        .order_by(Question.id)
    )
    return [PoolQuestion(question_id, topic, 1 / max(options, 1)) for question_id, topic, options in rows]


def answers_per_day(session: Session, user_id: int, now: datetime) -> float:
    since = now - timedelta(days=PACE_DAYS)
    in_attempts = session.scalar(
        select(func.count(AttemptQuestion.id))
        .join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
        .where(Attempt.user_id == user_id, AttemptQuestion.answered_at >= since)
    )
    on_devices = session.scalar(
        select(func.count(PracticeAnswer.id)).where(
            PracticeAnswer.user_id == user_id, PracticeAnswer.answered_at >= since
        )
    )
    return ((in_attempts or 0) + (on_devices or 0)) / PACE_DAYS


def readiness(session: Session, user_id: int, profile: ExamProfile, now: datetime) -> Readiness:
    schedule = current_scheduler()
    pool = category_pool(session, profile.category)
    in_pool = {question.question_id for question in pool}
    cards = {
        row.question_id: card_of(row)
        for row in session.scalars(select(ReviewCard).where(ReviewCard.user_id == user_id))
        if row.question_id in in_pool
    }
    recall = mean_recall(pool, cards, now, schedule)
    topics_by_code = {topic.code: topic for topic in session.scalars(select(Topic).order_by(Topic.position))}
    sizes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for question in pool:
        sizes[question.topic][0] += 1
        sizes[question.topic][1] += question.question_id in cards
    topics = [
        TopicRecall(topics_by_code[code], sizes[code][0], sizes[code][1], recall[code])
        for code in topics_by_code
        if code in profile.quotas and code in recall
    ]
    pace = answers_per_day(session, user_id, now)
    return Readiness(
        probability=estimate(pool, cards, profile, now, schedule),
        answered=len(cards),
        topics=topics,
        pace=pace,
        days_to_ready=days_to_ready(pool, cards, profile, now, pace, schedule),
    )
