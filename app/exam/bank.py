"""The question bank as data: loading and validating `questions/` (no database, no Flask).

Layout: `topics.yaml`, `profiles.yaml`, `bank/<topic>.yaml` (a list of questions) and
`images/*.svg`. `validate(path)` returns the parsed bank and every problem found, one message per
problem, so an author sees them all at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from app.core.i18n import LANGUAGES
from app.exam import bank_quality

CATEGORIES = ("A", "B", "C", "D", "BE")
MIN_OPTIONS, MAX_OPTIONS = 2, 5
QUESTION_KEYS = {"id", "topic", "categories", "image", "text", "options", "explanation", "reference"}
REQUIRED_KEYS = QUESTION_KEYS - {"image"}
SVG_NS = "{http://www.w3.org/2000/svg}"
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
# An SVG shown to people must not run code or fetch anything.
UNSAFE_SVG = re.compile(r"<script|<foreignObject|\son\w+\s*=|(?:xlink:)?href\s*=\s*[\"'](?!#)|@import|url\((?!#)", re.I)


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
        if category not in CATEGORIES:
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


@dataclass(frozen=True)
class SvgFile:
    problem: str | None
    description: str | None = None


_svg_cache: dict[Path, SvgFile] = {}


def read_svg(path: Path) -> SvgFile:
    """Check an SVG for our pages; its description (<desc>, else <title>) for the alt text."""
    if path not in _svg_cache:
        _svg_cache[path] = _read_svg(path)
    return _svg_cache[path]


def _read_svg(path: Path) -> SvgFile:
    try:
        content = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return SvgFile("file is missing")
    try:
        root = ET.fromstring(content)  # noqa: S314 (repository files; the stdlib expands no external entities)
    except ET.ParseError as error:
        return SvgFile(f"not well-formed XML ({error})")
    title = root.find(f"{SVG_NS}title")
    if root.tag != f"{SVG_NS}svg":
        return SvgFile("the root element is not an SVG <svg> element")
    if "viewBox" not in root.attrib:
        return SvgFile("the <svg> element needs a viewBox")
    if title is None or not (title.text or "").strip():
        return SvgFile("needs a non-empty <title>")
    if UNSAFE_SVG.search(content):
        return SvgFile("must not contain scripts, event handlers or external references")
    desc = root.find(f"{SVG_NS}desc")
    description = (desc.text or "").strip() if desc is not None else ""
    return SvgFile(None, " ".join((description or title.text or "").split()))


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
        if category not in CATEGORIES:
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
        if titles and category in CATEGORIES:
            profiles.append(ProfileData(code, titles, category, quotas=dict(quotas), **numbers))
    return profiles
