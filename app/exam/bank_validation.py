"""Reading and checking the question bank's files: `validate(path)`.

Layout: `topics.yaml`, `profiles.yaml`, `bank/<topic>.yaml` (a list of questions) and
`images/*.svg`. `validate` returns the parsed bank and every problem found, one message per
problem, so an author sees them all at once.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml

from app.core.i18n import LANGUAGES
from app.exam import bank_quality
from app.exam.bank import (
    BANK_CATEGORIES,
    Bank,
    OptionData,
    Problem,
    ProfileData,
    QuestionData,
    Report,
    TopicData,
    normalize_text,
)
from app.exam.svg_images import read_svg

MIN_OPTIONS, MAX_OPTIONS = 2, 5
QUESTION_KEYS = {"id", "topic", "categories", "image", "text", "options", "explanation", "reference"}
REQUIRED_KEYS = QUESTION_KEYS - {"image"}
# What `reference.point` may look like for each source (language-neutral, rendered per language).
NUMBER = r"\d+(?:\.\d+)*(?:-\d+)?(?:-[a-z0-9]+)?(?:\(\d+\))?"  # "12(5)": sub-point 5 of point 12
REFERENCE_POINTS = {
    "pdd": rf"^(?:{NUMBER}|annex-\d+)$",
    "pdd-admission": rf"^{NUMBER}$",
    "pdd-faults": rf"^(?:{NUMBER}|ch-\d+)$",
    "koap": rf"^{NUMBER}$",
    "st-rk-1125": rf"^{NUMBER}$",
    "st-rk-1124": rf"^{NUMBER}$",
    "road-law": rf"^{NUMBER}$",
    "first-aid": r"^ҚР ДСМ-\d+/\d{4}$",
}


def _needs_translation(text: str) -> bool:
    """Words need translating; a measure such as "5 м" or "150–300 м" may read the same in kk and ru."""
    words = re.findall(r"[^\W\d_]+", text)
    if not words:
        return False
    return not (any(ch.isdigit() for ch in text) and all(len(word) <= 3 for word in words))


class _Checker:
    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []
        self.questions_seen = 0
        self.today = dt.date.today()

    def problem(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def load_yaml(self, path: Path) -> Any:
        try:
            with path.open(encoding="utf-8") as handle:
                return yaml.safe_load(handle)
        except FileNotFoundError:
            self.problem(str(path.relative_to(self.root)), "file is missing")
        except yaml.YAMLError as error:
            self.problem(str(path.relative_to(self.root)), f"not valid YAML: {error}".replace("\n", " "))
        return None

    def trilingual(self, where: str, value: Any, *, translated: bool = True) -> dict[str, str] | None:
        if not isinstance(value, dict):
            self.problem(where, "needs texts in kk, ru and en")
            return None
        texts: dict[str, str] = {}
        for lang in LANGUAGES:
            text = value.get(lang)
            if not isinstance(text, str) or not text.strip():
                self.problem(where, f"the {lang} text is missing or empty")
            else:
                texts[lang] = text.strip()
        for extra in sorted(set(value) - set(LANGUAGES)):
            self.problem(where, f"unknown language {extra!r}")
        if translated:
            for first, second in (("kk", "ru"), ("ru", "en"), ("kk", "en")):
                if (
                    first in texts
                    and second in texts
                    and texts[first] == texts[second]
                    and _needs_translation(texts[first])
                ):
                    self.problem(where, f"the {first} and {second} texts are identical: translate them")
        return texts if len(texts) == len(LANGUAGES) else None


def validate(path: str | Path, today: dt.date | None = None) -> Report:
    root = Path(path)
    checker = _Checker(root)
    checker.today = today or dt.date.today()
    bank = Bank()
    bank.topics = _load_topics(checker)
    topic_codes = {topic.code for topic in bank.topics}
    bank.questions = _load_questions(checker, topic_codes)
    bank.profiles = _load_profiles(checker, bank)
    bank_quality.check_bank(checker, bank)
    return Report(bank, checker.problems, checker.questions_seen)


def _load_topics(checker: _Checker) -> list[TopicData]:
    data = checker.load_yaml(checker.root / "topics.yaml")
    topics: list[TopicData] = []
    if data is None:
        return topics
    if not isinstance(data, list):
        checker.problem("topics.yaml", "must be a list of topics")
        return topics
    seen: set[str] = set()
    for position, item in enumerate(data, start=1):
        code = item.get("id") if isinstance(item, dict) else None
        where = f"topics.yaml: {code or f'#{position}'}"
        if not isinstance(code, str) or not re.fullmatch(r"[a-z][a-z0-9-]*", code):
            checker.problem(where, "a topic needs an id of lowercase letters, digits and dashes")
            continue
        if code in seen:
            checker.problem(where, "duplicate topic id")
            continue
        seen.add(code)
        names = checker.trilingual(where, {lang: item.get(lang) for lang in LANGUAGES})
        if names:
            topics.append(TopicData(code, names, position))
    return topics


def _load_questions(checker: _Checker, topic_codes: set[str]) -> list[QuestionData]:
    questions: list[QuestionData] = []
    seen_ids: dict[str, str] = {}
    seen_stems: dict[tuple[str, str, str | None], str] = {}
    files = sorted((checker.root / "bank").glob("*.yaml"))
    if not files:
        checker.problem("bank", "no question files (bank/<topic>.yaml)")
    for path in files:
        relative = str(path.relative_to(checker.root))
        file_topic = path.stem
        if file_topic not in topic_codes:
            checker.problem(relative, f"file for unknown topic {file_topic!r}")
        data = checker.load_yaml(path)
        if data is None:
            continue
        if not isinstance(data, list):
            checker.problem(relative, "must be a list of questions")
            continue
        checker.questions_seen += len(data)
        for index, item in enumerate(data, start=1):
            question = _check_question(checker, relative, index, item, file_topic, topic_codes)
            if question is None:
                continue
            if question.code in seen_ids:
                checker.problem(f"{relative}: {question.code}", f"duplicate id (also in {seen_ids[question.code]})")
                continue
            seen_ids[question.code] = relative
            for lang in LANGUAGES:
                key = (lang, normalize_text(question.texts[lang]), question.image)
                if key in seen_stems:
                    checker.problem(f"{relative}: {question.code}", f"the {lang} question duplicates {seen_stems[key]}")
                else:
                    seen_stems[key] = question.code
            questions.append(question)
    return questions


def _check_question(
    checker: _Checker, relative: str, index: int, item: Any, file_topic: str, topic_codes: set[str]
) -> QuestionData | None:
    if not isinstance(item, dict):
        checker.problem(f"{relative}: #{index}", "a question must be a mapping")
        return None
    code = item.get("id")
    where = f"{relative}: {code if isinstance(code, str) else f'#{index}'}"
    before = len(checker.problems)
    if not isinstance(code, str) or not re.fullmatch(r"[a-z][a-z0-9-]*-\d{3,}", code):
        checker.problem(where, "the id must look like <topic>-NNN")
    for key in sorted(REQUIRED_KEYS - set(item)):
        checker.problem(where, f"missing {key!r}")
    for key in sorted(set(item) - QUESTION_KEYS):
        checker.problem(where, f"unknown key {key!r}")
    topic = item.get("topic")
    if topic not in topic_codes:
        checker.problem(where, f"unknown topic {topic!r}")
    elif topic != file_topic:
        checker.problem(where, f"topic {topic!r} does not match the file {file_topic}.yaml")
    categories = item.get("categories")
    if not isinstance(categories, list) or not categories:
        checker.problem(where, "categories must be a non-empty list")
        categories = []
    for category in categories:
        if category not in BANK_CATEGORIES:
            checker.problem(where, f"unknown licence category {category!r}")
    if len(set(map(str, categories))) != len(categories):
        checker.problem(where, "a category is listed twice")

    texts = checker.trilingual(f"{where}: text", item.get("text"))
    explanations = checker.trilingual(f"{where}: explanation", item.get("explanation"))
    options = _check_options(checker, where, item.get("options"))
    source, point = _check_reference(checker, where, item.get("reference"))
    image = item.get("image")
    image_alt = _check_image(checker, where, image) if image is not None else None
    if len(checker.problems) > before or texts is None or explanations is None or options is None:
        return None
    return QuestionData(
        code=code,
        topic=topic,
        categories=list(categories),
        texts=texts,
        options=options,
        explanations=explanations,
        reference_source=source,
        reference_point=point,
        image=image,
        image_alt=image_alt,
        source_file=relative,
    )


def _check_options(checker: _Checker, where: str, value: Any) -> list[OptionData] | None:
    if not isinstance(value, list):
        checker.problem(where, "options must be a list")
        return None
    if not MIN_OPTIONS <= len(value) <= MAX_OPTIONS:
        checker.problem(where, f"needs {MIN_OPTIONS} to {MAX_OPTIONS} options, has {len(value)}")
    options: list[OptionData] = []
    for number, option in enumerate(value, start=1):
        if not isinstance(option, dict):
            checker.problem(f"{where}: option {number}", "must be a mapping with text and correct")
            continue
        for key in sorted(set(option) - {"text", "correct"}):
            checker.problem(f"{where}: option {number}", f"unknown key {key!r}")
        correct = option.get("correct", False)
        if not isinstance(correct, bool):
            checker.problem(f"{where}: option {number}", "correct must be true or false")
        # Option texts such as "60 km/h" legitimately differ only by unit; still all three required.
        texts = checker.trilingual(f"{where}: option {number}", option.get("text"))
        if texts is not None:
            options.append(OptionData(texts, correct is True))
    correct_count = sum(1 for option in value if isinstance(option, dict) and option.get("correct") is True)
    if correct_count != 1:
        checker.problem(where, f"needs exactly one correct option, has {correct_count}")
    for lang in LANGUAGES:
        normalized = [normalize_text(option.texts[lang]) for option in options]
        if len(set(normalized)) != len(normalized):
            checker.problem(where, f"two options have the same {lang} text")
    return options if len(options) == len(value) else None


def _check_reference(checker: _Checker, where: str, value: Any) -> tuple[str, str]:
    if not isinstance(value, dict):
        checker.problem(where, "reference must be {source, point, checked}")
        return "", ""
    bank_quality.check_checked_date(checker, where, value.get("checked"), checker.today)
    source, point = value.get("source"), str(value.get("point", "")).strip()
    if source not in REFERENCE_POINTS:
        checker.problem(where, f"unknown reference source {source!r}")
        return "", ""
    if not re.match(REFERENCE_POINTS[source], point):
        checker.problem(where, f"reference point {point!r} does not fit the source {source}")
    return source, point


def _check_image(checker: _Checker, where: str, image: Any) -> str | None:
    """The image's text alternative, after checking the file."""
    if not isinstance(image, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*\.svg", image):
        checker.problem(where, f"image {image!r} must be a file name ending in .svg")
        return None
    svg = read_svg(checker.root / "images" / image)
    if svg.problem:
        checker.problem(where, f"image {image}: {svg.problem}")
    return svg.description


def _load_profiles(checker: _Checker, bank: Bank) -> list[ProfileData]:
    data = checker.load_yaml(checker.root / "profiles.yaml")
    profiles: list[ProfileData] = []
    if data is None:
        return profiles
    if not isinstance(data, list):
        checker.problem("profiles.yaml", "must be a list of profiles")
        return profiles
    topic_codes = {topic.code for topic in bank.topics}
    for item in data:
        code = item.get("code") if isinstance(item, dict) else None
        where = f"profiles.yaml: {code}"
        if not isinstance(code, str) or not code:
            checker.problem("profiles.yaml", "a profile needs a code")
            continue
        titles = checker.trilingual(f"{where}: title", item.get("title"))
        category = item.get("category")
        if category not in BANK_CATEGORIES:
            checker.problem(where, f"unknown licence category {category!r}")
        numbers = {}
        for key in ("questions", "seconds", "pass_mark"):
            value = item.get(key)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                checker.problem(where, f"{key} must be a positive whole number")
            numbers[key] = value if isinstance(value, int) else 0
        if numbers["pass_mark"] > numbers["questions"]:
            checker.problem(where, "the pass mark is higher than the number of questions")
        quotas = item.get("quotas")
        if not isinstance(quotas, dict) or not quotas:
            checker.problem(where, "quotas must map topics to numbers of questions")
            quotas = {}
        for topic, count in quotas.items():
            if topic not in topic_codes:
                checker.problem(where, f"quota for unknown topic {topic!r}")
            elif not isinstance(count, int) or count < 0:
                checker.problem(where, f"quota for {topic} must be a whole number")
        if sum(v for v in quotas.values() if isinstance(v, int)) != numbers["questions"]:
            checker.problem(where, f"the quotas add up to {sum(quotas.values())}, not {numbers['questions']}")
        for topic, count in quotas.items():
            available = sum(1 for q in bank.questions if q.topic == topic and category in q.categories)
            if isinstance(count, int) and available < count:
                checker.problem(
                    where, f"quota {count} for {topic} cannot be filled: {available} questions for category {category}"
                )
        if titles and category in BANK_CATEGORIES:
            profiles.append(ProfileData(code, titles, category, quotas=dict(quotas), **numbers))
    return profiles
