"""How likely a learner is to pass the official exam, from recent per-topic accuracy.

Method (explained on the page too): for each topic the accuracy is estimated as
(right + 1) / (answered + 2) over the answers of the last 30 days — a Laplace-smoothed share, so
that a topic with few answers stays near 50 % instead of 0 or 100 %. The exam draws `quota`
questions from each topic; treating each answer as an independent trial with that topic's
accuracy, the number of right answers follows a Poisson-binomial distribution, computed exactly by
convolution. The probability of passing is the chance of at least `pass_mark` right answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.exam.models import Attempt, AttemptQuestion, ExamProfile, Question, Topic

WINDOW_DAYS = 30
MIN_ANSWERS_FOR_ESTIMATE = 20


@dataclass(frozen=True)
class TopicAccuracy:
    topic: Topic
    right: int
    answered: int

    @property
    def estimate(self) -> float:
        return (self.right + 1) / (self.answered + 2)


@dataclass(frozen=True)
class Readiness:
    probability: float | None  # None until there are enough answers
    answered: int
    topics: list[TopicAccuracy]

    @property
    def weakest(self) -> list[TopicAccuracy]:
        return sorted(self.topics, key=lambda item: (item.estimate, item.answered))[:3]


def pass_probability(accuracy_by_topic: dict[str, float], quotas: dict[str, int], pass_mark: int) -> float:
    """P(at least pass_mark right) when `quotas[t]` questions are answered right with p_t each."""
    distribution = [1.0]  # distribution[k] = P(k right so far)
    for topic, quota in quotas.items():
        p = accuracy_by_topic.get(topic, 0.5)
        for _ in range(quota):
            following = [0.0] * (len(distribution) + 1)
            for right, probability in enumerate(distribution):
                following[right] += probability * (1 - p)
                following[right + 1] += probability * p
            distribution = following
    return sum(distribution[pass_mark:])


def readiness(session: Session, user_id: int, profile: ExamProfile, now: datetime) -> Readiness:
    since = now - timedelta(days=WINDOW_DAYS)
    rows = session.execute(
        select(Topic, func.count(AttemptQuestion.id), func.sum(case((AttemptQuestion.is_correct, 1), else_=0)))
        .join(Question, Question.topic_id == Topic.id)
        .join(AttemptQuestion, AttemptQuestion.question_id == Question.id)
        .join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
        .where(Attempt.user_id == user_id, AttemptQuestion.answered_at >= since)
        .group_by(Topic.id)
    ).all()
    by_code = {topic.code: TopicAccuracy(topic, int(right or 0), int(count)) for topic, count, right in rows}
    topics = [by_code[code] for code in profile.quotas if code in by_code]
    answered = sum(item.answered for item in by_code.values())
    if answered < MIN_ANSWERS_FOR_ESTIMATE:
        return Readiness(None, answered, topics)
    accuracy = {code: item.estimate for code, item in by_code.items()}
    return Readiness(pass_probability(accuracy, profile.quotas, profile.pass_mark), answered, topics)
