"""What a question rests on, in words, in each language."""

from __future__ import annotations

from dataclasses import dataclass

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


# The official texts on adilet.zan.kz (the state register of legal acts): the order that approves the Rules,
# the admission provisions and the list of faults (MoJ registration No. 33003), and the Code of Administrative
# Offences. Pages exist in Kazakh and Russian; English pages link the Russian text. Adilet's anchors for single
# points could not be confirmed, so links lead to the document.
ADILET_DOCUMENTS = {
    "pdd": "V2300033003",
    "pdd-admission": "V2300033003",
    "pdd-faults": "V2300033003",
    "koap": "K1400000235",
}


@dataclass(frozen=True)
class Reference:
    text: str
    url: str | None

    def __str__(self) -> str:
        return self.text


def official_url(source: str, language: str) -> str | None:
    document = ADILET_DOCUMENTS.get(source)
    if document is None:
        return None
    return f"https://adilet.zan.kz/{'kaz' if language == 'kk' else 'rus'}/docs/{document}"


def reference_of(source: str, point: str, language: str) -> Reference:
    """The reference in words, with a link to the official text where there is one."""
    return Reference(format_reference(source, point, language), official_url(source, language))


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
