"""The validator's bank-wide rules: review dates, glossary names, give-away options, near-duplicates, pictures."""

import datetime as dt

import pytest
import yaml

from tests.support.question_bank_support import copy_fixture_bank, edit_questions, problems


@pytest.fixture
def root(tmp_path):
    return copy_fixture_bank(tmp_path)


def first_speed(change):
    return lambda root: edit_questions(root, "speed", lambda data: change(data[0]))


def write_glossary(root):
    glossary = {
        "signs": {"2.4": {"kk": "Жол беріңіз", "ru": "Уступите дорогу", "en": "Give way"}},
        "markings": {"1.1": {"kk": "Тұтас сызық", "ru": "Сплошная линия", "en": "Solid line"}},
        "terms": [
            {
                "id": "main-road",
                "kk": "басты жол",
                "ru": "главная дорога",
                "en": "main road",
                "avoid": {"kk": ["бас жол"], "ru": ["приоритетная дорога"], "en": ["priority road"]},
            }
        ],
    }
    (root / "glossary.yaml").write_text(yaml.safe_dump(glossary, allow_unicode=True), encoding="utf-8")


def set_explanation(lang, text):
    def change(root):
        write_glossary(root)
        first_speed(lambda q: q["explanation"].update({lang: text}))(root)

    return change


def drop_checked(q):
    q["reference"].pop("checked")


DEFECTS = {
    "no checked date": (first_speed(drop_checked), "reference.checked must be the ISO date"),
    "checked not a date": (
        first_speed(lambda q: q["reference"].update(checked="27.11.2026")),
        "reference.checked must be the ISO date",
    ),
    "checked in the future": (first_speed(lambda q: q["reference"].update(checked="2027-01-01")), "in the future"),
    "avoided term ru": (set_explanation("ru", "Это Приоритетная дорога."), "uses 'приоритетная дорога' (ru)"),
    "avoided term en": (set_explanation("en", "Drive on the priority road."), "uses 'priority road' (en)"),
    "wrong sign name ru": (
        set_explanation("ru", "Знак 2.4 «Уступи дорогу» требует уступить."),
        "sign 2.4 is «Уступите дорогу» in ru, not «Уступи дорогу»",
    ),
    "wrong sign name kk": (
        set_explanation("kk", "2.4 «Жолды беріңіз» белгісі."),
        "sign 2.4 is «Жол беріңіз» in kk",
    ),
    "wrong sign name en": (set_explanation("en", 'The sign 2.4 "Yield" asks you to give way.'), "not «Yield»"),
    "wrong marking name ru": (set_explanation("ru", "Разметка 1.1 «Сплошная» запрещает."), "marking 1.1 is"),
    "unused picture": (
        lambda root: (root / "images" / "sign-unused.svg").write_text(
            (root / "images" / "sign-test.svg").read_text(encoding="utf-8"), encoding="utf-8"
        ),
        "images/sign-unused.svg: no question uses this picture",
    ),
    "no alt text file": (lambda root: (root / "images" / "alt.yaml").unlink(), "images/alt.yaml: file is missing"),
    "picture without alt text": (
        lambda root: (root / "images" / "alt.yaml").write_text("other.svg: {kk: а, ru: б, en: c}\n", encoding="utf-8"),
        "images/alt.yaml: sign-test.svg: the picture needs alt text",
    ),
    "alt text missing a language": (
        lambda root: (root / "images" / "alt.yaml").write_text(
            "sign-test.svg: {kk: Белгі, ru: Знак}\n", encoding="utf-8"
        ),
        "the en text is missing",
    ),
}


@pytest.mark.parametrize("defect", DEFECTS)
def test_validator_catches_each_bank_wide_defect(root, defect):
    make_defect, fragment = DEFECTS[defect]
    make_defect(root)
    found = problems(root, today=dt.date(2026, 12, 3))
    assert any(fragment in problem for problem in found), found


def test_official_names_and_plain_words_pass(root):
    write_glossary(root)
    first_speed(
        lambda q: q["explanation"].update(
            ru="Знак 2.4 «Уступите дорогу»; неприоритетная дорога тут ни при чём.",
            kk="2.4 «Жол беріңіз» белгісі.",
            en='Sign 2.4 "Give way".',
        )
    )(root)
    assert problems(root, today=dt.date(2026, 12, 3)) == []


def make_longest_right(share_of_four):
    """Four speed questions; in `share_of_four` of them the right option is strictly the longest (en)."""

    def change(data):
        template = data[0]
        data[:] = []
        for n in range(4):
            question = yaml.safe_load(yaml.safe_dump(template))
            question["id"] = f"speed-{n + 1:03d}"
            for lang, word in (("kk", "Сұрақ"), ("ru", "Вопрос"), ("en", "Question")):
                question["text"][lang] = f"{word} {'абвгде'[n] if lang != 'en' else 'abcdef'[n]} {n * 17}"
            right = "a much longer right answer" if n < share_of_four else "ok"
            question["options"] = [
                {"text": {"kk": f"иә {n}", "ru": f"да {n}", "en": right}, "correct": True},
                {"text": {"kk": f"қате {n}", "ru": f"неверно {n}", "en": "a wrong answer"}},
            ]
            data.append(question)

    return change


def test_right_option_longest_in_too_many_questions_of_a_topic(root):
    edit_questions(root, "speed", make_longest_right(2))  # 50 %
    found = problems(root, today=dt.date(2026, 12, 3))
    assert "bank/speed.yaml: the right option is the longest in 50% of the en questions (at most 35%)" in " ".join(
        found
    ), found


def test_right_option_longest_in_a_third_passes(root):
    edit_questions(root, "speed", make_longest_right(1))  # 25 %
    assert not [p for p in problems(root, today=dt.date(2026, 12, 3)) if "longest" in p]


def test_near_duplicate_questions_are_named(root):
    def change(data):
        data[1]["text"]["ru"] = data[0]["text"]["ru"].rstrip("?") + "!"
        data[1]["text"]["ru"] = data[1]["text"]["ru"][:-1] + " ли?"

    edit_questions(root, "speed", change)
    found = problems(root, today=dt.date(2026, 12, 3))
    assert any("speed-001" in p and "nearly the same as speed-002" in p for p in found), found


def test_similar_questions_with_different_pictures_are_not_near_duplicates(root):
    def change(data):
        data[1]["text"]["ru"] = data[0]["text"]["ru"] + " ли"
        data[1]["image"] = "sign-test.svg"

    edit_questions(root, "speed", change)
    assert not [p for p in problems(root, today=dt.date(2026, 12, 3)) if "nearly the same" in p]


def test_alt_text_is_read_per_language(root):
    from app.exam import bank_validation as bank_files

    question = next(q for q in bank_files.validate(root).bank.questions if q.image)
    assert question.alt_text("kk") == "Ақ көлденең жолағы бар қызыл дөңгелек"
    assert question.alt_text("ru") == "Красный круг с белой горизонтальной полосой"
    assert question.alt_text("en") == "A red disc with a white horizontal bar"
