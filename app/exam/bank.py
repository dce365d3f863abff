"""The question bank as data: what `questions/` holds once read (no database, no Flask).

`app.exam.bank_validation.validate(path)` reads and checks the files into a `Report` carrying a
`Bank`; the import (`app.exam.importing`) stores a valid bank in the database.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field

# The licence categories the bank has questions and exam profiles for. A subset of the categories an
# exam place can be booked for (app.booking.models), and a list of its own: a category is added here
# when the bank has questions for it, not when centres start examining it.
BANK_CATEGORIES = ("A", "B", "C", "D", "BE")


@dataclass(frozen=True)
class Problem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class TopicData:
    code: str
    names: dict[str, str]
    position: int


@dataclass
class OptionData:
    texts: dict[str, str]
    correct: bool


@dataclass
class QuestionData:
    code: str
    topic: str
    categories: list[str]
    texts: dict[str, str]
    options: list[OptionData]
    explanations: dict[str, str]
    reference_source: str
    reference_point: str
    image: str | None = None
    image_alt: str | None = None  # the drawing's own <desc> or <title>
    image_alts: dict[str, str] = field(default_factory=dict)  # per language, from images/alt.yaml
    source_file: str = ""

    def alt_text(self, lang: str) -> str | None:
        return self.image_alts.get(lang) or self.image_alt if self.image else None

    def content_hash(self) -> str:
        """Identifies what a learner sees; a change makes a new revision."""
        content = {
            "text": self.texts,
            "options": [[option.texts, option.correct] for option in self.options],
            "explanation": self.explanations,
            "reference": [self.reference_source, self.reference_point],
            "image": self.image,
        }
        return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass
class ProfileData:
    code: str
    titles: dict[str, str]
    category: str
    questions: int
    seconds: int
    pass_mark: int
    quotas: dict[str, int]


@dataclass
class Bank:
    topics: list[TopicData] = field(default_factory=list)
    questions: list[QuestionData] = field(default_factory=list)
    profiles: list[ProfileData] = field(default_factory=list)

    def languages(self) -> list[str]:
        return sorted({lang for q in self.questions for lang in q.texts})


@dataclass
class Report:
    bank: Bank
    problems: list[Problem]
    questions_in_files: int = 0  # defective ones included

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        return (
            f"{self.questions_in_files} questions, {len(self.bank.topics)} topics, "
            f"languages: {' '.join(self.bank.languages())}"
        )


def normalize_text(text: str) -> str:
    """For comparisons and search: case-folded, ё→е, punctuation and spacing folded."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())
