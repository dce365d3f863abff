"""Checks of the question bank as a whole: review dates, the glossary's names, give-away options,
near-duplicates and pictures. Called by `bank_validation.validate()`; each finding is one problem."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import defaultdict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.exam.bank import Bank, QuestionData
    from app.exam.bank_validation import _Checker

from app.core.i18n import LANGUAGES

# Above this share of a topic's questions, "pick the longest option" beats knowing the answer.
LONGEST_RIGHT_OPTION_SHARE = 0.35
NEAR_DUPLICATE_RATIO = 0.9
QUOTES = r"(?:«([^»]+)»|\"([^\"]+)\")"
NUMBER = r"(\d+(?:\.\d+)+)"
# A sign or marking named with its number and a quoted name, in the word orders the bank uses.
NAMED = {
    "signs": {
        "ru": re.compile(rf"знак\w*\s+{NUMBER}\s+{QUOTES}", re.I),
        "kk": re.compile(rf"{NUMBER}\s+{QUOTES}\s+белгі", re.I),
        "en": re.compile(rf"sign\s+{NUMBER}\s+{QUOTES}", re.I),
    },
    "markings": {
        "ru": re.compile(rf"разметк\w*\s+{NUMBER}\s+{QUOTES}", re.I),
        "kk": re.compile(rf"{NUMBER}\s+{QUOTES}\s+таңба", re.I),
        "en": re.compile(rf"marking\s+{NUMBER}\s+{QUOTES}", re.I),
    },
}


def check_checked_date(checker: _Checker, where: str, value: Any, today: dt.date) -> None:
    """`reference.checked`: the ISO date the answer was last checked against its source."""
    if isinstance(value, dt.date):
        checked = value
    else:
        try:
            checked = dt.date.fromisoformat(str(value)) if value is not None else None
        except ValueError:
            checked = None
    if checked is None or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)):
        checker.problem(where, "reference.checked must be the ISO date (YYYY-MM-DD) the answer was checked")
    elif checked > today:
        checker.problem(where, f"reference.checked {checked} is in the future")


def check_bank(checker: _Checker, bank: Bank) -> None:
    # A bank may have no glossary yet; then there are no names to hold it to.
    glossary = checker.load_yaml(checker.root / "glossary.yaml") if (checker.root / "glossary.yaml").exists() else None
    if isinstance(glossary, dict):
        for question in bank.questions:
            _check_glossary(checker, question, glossary)
    _check_longest_right_option(checker, bank)
    _check_near_duplicates(checker, bank)
    _check_images(checker, bank)


def question_texts(question: QuestionData, lang: str) -> list[str]:
    return [question.texts[lang], question.explanations[lang], *(option.texts[lang] for option in question.options)]


def _check_glossary(checker: _Checker, question: QuestionData, glossary: dict) -> None:
    where = f"{question.source_file}: {question.code}"
    for term in glossary.get("terms") or []:
        for lang, forms in (term.get("avoid") or {}).items():
            for form in forms or []:
                pattern = re.compile(rf"(?<!\w){re.escape(form)}(?!\w)", re.I)
                if any(pattern.search(text) for text in question_texts(question, lang)):
                    checker.problem(where, f"uses {form!r} ({lang}): write {term.get(lang)!r}")
    for kind, patterns in NAMED.items():
        names = glossary.get(kind) or {}
        for lang, pattern in patterns.items():
            for text in question_texts(question, lang):
                for match in pattern.finditer(text):
                    number, name = match.group(1), match.group(2) or match.group(3)
                    official = (names.get(number) or {}).get(lang)
                    if official and name.strip().casefold() != official.casefold():
                        checker.problem(where, f"{kind[:-1]} {number} is «{official}» in {lang}, not «{name}»")


def _is_longest(question: QuestionData, lang: str) -> bool:
    lengths = [(len(option.texts[lang]), option.correct) for option in question.options]
    right = next(length for length, correct in lengths if correct)
    return all(right > length for length, correct in lengths if not correct)


def _check_longest_right_option(checker: _Checker, bank: Bank) -> None:
    by_topic: dict[str, list[QuestionData]] = defaultdict(list)
    for question in bank.questions:
        by_topic[question.topic].append(question)
    for topic, questions in sorted(by_topic.items()):
        for lang in LANGUAGES:
            share = sum(_is_longest(question, lang) for question in questions) / len(questions)
            if share > LONGEST_RIGHT_OPTION_SHARE:
                checker.problem(
                    f"bank/{topic}.yaml",
                    f"the right option is the longest in {share:.0%} of the {lang} questions "
                    f"(at most {LONGEST_RIGHT_OPTION_SHARE:.0%}): vary option lengths",
                )


def _check_near_duplicates(checker: _Checker, bank: Bank) -> None:
    from app.exam.bank import normalize_text

    by_image: dict[str | None, list[QuestionData]] = defaultdict(list)
    for question in bank.questions:
        by_image[question.image].append(question)
    for questions in by_image.values():
        normalized = [{lang: normalize_text(q.texts[lang]) for lang in LANGUAGES} for q in questions]
        matcher = difflib.SequenceMatcher(autojunk=False)
        for i, first in enumerate(questions):
            for j in range(i + 1, len(questions)):
                for lang in LANGUAGES:
                    a, b = normalized[i][lang], normalized[j][lang]
                    if a == b:  # exact duplicates are reported by the loader
                        continue
                    matcher.set_seqs(a, b)
                    # The quick ratios bound ratio() from above: most pairs are ruled out cheaply.
                    if (
                        matcher.real_quick_ratio() >= NEAR_DUPLICATE_RATIO
                        and matcher.quick_ratio() >= NEAR_DUPLICATE_RATIO
                        and matcher.ratio() >= NEAR_DUPLICATE_RATIO
                    ):
                        checker.problem(
                            f"{first.source_file}: {first.code}",
                            f"the {lang} question is nearly the same as {questions[j].code} "
                            f"({matcher.ratio():.0%} alike): ask something else",
                        )
                        break


def _check_images(checker: _Checker, bank: Bank) -> None:
    images = checker.root / "images"
    used = {question.image for question in bank.questions if question.image}
    for path in sorted(images.glob("*.svg")):
        if path.name not in used:
            checker.problem(f"images/{path.name}", "no question uses this picture: delete it or use it")
    alt = checker.load_yaml(images / "alt.yaml")
    if not isinstance(alt, dict):
        return
    alts = {}
    for name in sorted(used):
        texts = alt.get(name)
        where = f"images/alt.yaml: {name}"
        if texts is None:
            checker.problem(where, "the picture needs alt text in kk, ru and en")
        else:
            alts[name] = checker.trilingual(where, texts, translated=False) or {}
    for question in bank.questions:
        question.image_alts = alts.get(question.image, {})
