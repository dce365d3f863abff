"""What a question rests on, in words, in each language."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

# source -> language -> template with {point}
TEMPLATES: dict[str, dict[str, str]] = {
    "pdd": {
        "kk": "Жол жүрісі қағидалары, {point}-тармақ",
        "ru": "Правила дорожного движения, п. {point}",
        "en": "Rules of the Road, point {point}",
    },
    "pdd-admission": {
        "kk": "Көлік құралдарын пайдалануға жіберу жөніндегі негізгі ережелер, {point}-тармақ",
        "ru": "Основные положения по допуску транспортных средств к эксплуатации, п. {point}",
        "en": "Basic provisions on admitting vehicles to service, point {point}",
    },
    "pdd-faults": {
        "kk": "Көлік құралдарын пайдалануға тыйым салынатын ақаулар тізбесі, {point}-тармақ",
        "ru": "Перечень неисправностей, при которых запрещается эксплуатация ТС, п. {point}",
        "en": "List of faults that forbid using a vehicle, point {point}",
    },
    "koap": {
        "kk": "Әкімшілік құқық бұзушылық туралы кодекс, {point}-бап",
        "ru": "Кодекс об административных правонарушениях, ст. {point}",
        "en": "Code of Administrative Offences, article {point}",
    },
    "st-rk-1125": {
        "kk": "ҚР СТ 1125, {point} белгісі",
        "ru": "СТ РК 1125, знак {point}",
        "en": "ST RK 1125, sign {point}",
    },
    "st-rk-1124": {
        "kk": "ҚР СТ 1124, {point} таңбасы",
        "ru": "СТ РК 1124, разметка {point}",
        "en": "ST RK 1124, marking {point}",
    },
    "road-law": {
        "kk": "«Жол жүрісі туралы» Заң, {point}-бап",
        "ru": "Закон «О дорожном движении», ст. {point}",
        "en": "Law on Road Traffic, article {point}",
    },
    "first-aid": {
        "kk": "Алғашқы көмек көрсету қағидалары (бұйрық {point})",
        "ru": "Правила оказания первой помощи (приказ {point})",
        "en": "First-aid rules (order {point})",
    },
}
# Points that are not numbers: chapter and annex markers.
SPECIAL_POINTS: dict[str, dict[str, str]] = {
    "annex": {"kk": "{n}-қосымша", "ru": "приложение {n}", "en": "Annex {n}"},
    "ch": {"kk": "{n}-тарау", "ru": "глава {n}", "en": "chapter {n}"},
}


# The official texts on adilet.zan.kz (the state register of legal acts), by reference source: the document id
# and the languages it has beyond Kazakh and Russian. The MIA order No. 534 of 30.06.2023 (registration
# No. 33003) approves the Rules, the admission provisions with the list of faults, and reproduces the signs
# (Annex 1, ST RK 1125 numbering) and markings (Annex 2, ST RK 1124); the Code of Administrative Offences
# (No. 235-V), the Law on Road Traffic (No. 194-V) and the Ministry of Health's orders on first aid
# (ҚР ДСМ-269/2020, reg. No. 21814) and the first-aid kit (ҚР ДСМ-118/2020, reg. No. 21399).
RULES = "V2300033003"
ADILET_DOCUMENTS: dict[str, str] = {
    "pdd": RULES,
    "pdd-admission": RULES,
    "pdd-faults": RULES,
    "st-rk-1125": RULES,
    "st-rk-1124": RULES,
    "koap": "K1400000235",
    "road-law": "Z1400000194",
}
FIRST_AID_ORDERS = {"ҚР ДСМ-269/2020": "V2000021814", "ҚР ДСМ-118/2020": "V2000021399"}
# Documents adilet also publishes in English (an unofficial translation); the others open in Russian.
IN_ENGLISH = {"K1400000235", "Z1400000194", "V2000021814"}
# Adilet's own anchors (#z1504 …) are paragraph serial numbers that cannot be derived from a point's number, so
# the link reaches the point's place through a text fragment (#:~:text=…), which browsers scroll to and mark:
# the heading of the article (Code, Law) or of the Rules' chapter holding the point. Chapters of the Rules by
# their first point (questions/chapters.yaml; a test keeps the two equal).
RULES_CHAPTER_STARTS = (1, 9, 13, 21, 23, 40, 44, 47, 60, 72, 77, 84, 91, 106, 113, 118, 121, 125, 128, 141, 146)
RULES_CHAPTER_STARTS += (151, 159, 165, 177, 181)
HEADINGS = {
    "article": {"kaz": "{n}-бап.", "rus": "Статья {n}.", "eng": "Article {n}."},
    "chapter": {"kaz": "{n}-тарау.", "rus": "Глава {n}.", "eng": "Chapter {n}."},
}


@dataclass(frozen=True)
class Reference:
    text: str
    url: str | None

    def __str__(self) -> str:
        return self.text


def _document(source: str, point: str) -> str | None:
    if source == "first-aid":
        return FIRST_AID_ORDERS.get(point)
    return ADILET_DOCUMENTS.get(source)


def _heading(source: str, point: str) -> tuple[str, str] | None:
    """(kind of heading, its number) that the point is found under, or None for the document's top."""
    number = re.match(r"(\d+)(?:$|[.(-])", point)
    if number is None:
        return None  # annexes and the faults' chapters: their headings sit in table cells no fragment matches
    if source in ("koap", "road-law"):
        return "article", point.split("(")[0]
    if source == "pdd":
        base = int(number.group(1))
        return "chapter", str(sum(1 for first in RULES_CHAPTER_STARTS if first <= base))
    return None  # the admission provisions and the faults repeat the Rules' numbers; signs and markings too


def official_url(source: str, point: str, language: str) -> str | None:
    """The official text of a reference on adilet.zan.kz, in the reader's language where adilet has it
    (kk: /kaz/, ru: /rus/, en: /eng/ if translated, else /rus/), at the heading the point stands under."""
    document = _document(source, point)
    if document is None:
        return None
    version = {"kk": "kaz", "en": "eng" if document in IN_ENGLISH else "rus"}.get(language, "rus")
    url = f"https://adilet.zan.kz/{version}/docs/{document}"
    heading = _heading(source, point)
    if heading is None:
        return url
    kind, number = heading
    # A dash is the fragment's own syntax (prefix-, -suffix): inside the text it must be escaped too.
    text = quote(HEADINGS[kind][version].format(n=number), safe="").replace("-", "%2D")
    return f"{url}#:~:text={text}"


def reference_of(source: str, point: str, language: str) -> Reference:
    """The reference in words, with a link to the official text where there is one."""
    return Reference(format_reference(source, point, language), official_url(source, point, language))


def format_reference(source: str, point: str, language: str) -> str:
    templates = TEMPLATES.get(source)
    if templates is None:
        return point
    template = templates.get(language, templates["ru"])
    prefix, _, number = point.partition("-")
    if prefix in SPECIAL_POINTS and number.isdigit():
        # "annex-2" is not a point: name the annex or chapter instead of "point annex-2".
        head = template.split(",")[0].split(" (")[0]
        return f"{head}, {SPECIAL_POINTS[prefix][language].format(n=number)}"
    return template.format(point=point)
