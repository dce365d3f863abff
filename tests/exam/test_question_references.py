"""A reference links to its official text on adilet.zan.kz, in the page's language, at the heading the point
stands under (a text fragment: adilet's own anchors cannot be derived from a point's number)."""

from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from app.exam.references import RULES_CHAPTER_STARTS, official_url, reference_of
from tests.conftest import submit_form
from tests.support.bank import REAL_BANK, real_bank_report

RULES_RU = "https://adilet.zan.kz/rus/docs/V2300033003"
RULES_KK = "https://adilet.zan.kz/kaz/docs/V2300033003"
# "Глава 1." / "1-тарау." (the dash escaped: it is the fragment's own syntax)
CHAPTER_1_RU = RULES_RU + "#:~:text=%D0%93%D0%BB%D0%B0%D0%B2%D0%B0%201."
CHAPTER_10_KK = RULES_KK + "#:~:text=10%2D%D1%82%D0%B0%D1%80%D0%B0%D1%83."


@pytest.mark.parametrize(
    ("source", "point", "language", "url"),
    [
        ("pdd", "1", "ru", CHAPTER_1_RU),
        ("pdd", "73", "kk", CHAPTER_10_KK),  # point 73 is in chapter 10 (Speed)
        ("pdd", "72", "kk", CHAPTER_10_KK),  # its first point …
        ("pdd", "76", "kk", CHAPTER_10_KK),  # … and its last
        ("pdd", "71", "ru", RULES_RU + "#:~:text=%D0%93%D0%BB%D0%B0%D0%B2%D0%B0%209."),
        ("pdd", "54-1", "en", RULES_RU + "#:~:text=%D0%93%D0%BB%D0%B0%D0%B2%D0%B0%208."),  # no English Rules
        ("pdd", "12(5)", "ru", RULES_RU + "#:~:text=%D0%93%D0%BB%D0%B0%D0%B2%D0%B0%202."),
        ("pdd", "192", "ru", RULES_RU + "#:~:text=%D0%93%D0%BB%D0%B0%D0%B2%D0%B0%2026."),
        ("pdd", "annex-2", "kk", RULES_KK),  # an annex: the document itself
        ("pdd-admission", "5", "kk", RULES_KK),  # approved by the same order; its numbers repeat the Rules'
        ("pdd-faults", "ch-1", "ru", RULES_RU),
        ("st-rk-1125", "5.19.1", "ru", RULES_RU),  # signs: Annex 1 of the Rules
        ("st-rk-1124", "1.1", "kk", RULES_KK),  # markings: Annex 2
        (
            "koap",
            "592",
            "ru",
            "https://adilet.zan.kz/rus/docs/K1400000235#:~:text=%D0%A1%D1%82%D0%B0%D1%82%D1%8C%D1%8F%20592.",
        ),
        ("koap", "592", "kk", "https://adilet.zan.kz/kaz/docs/K1400000235#:~:text=592%2D%D0%B1%D0%B0%D0%BF."),
        ("koap", "610-1", "en", "https://adilet.zan.kz/eng/docs/K1400000235#:~:text=Article%20610%2D1."),
        ("road-law", "25", "en", "https://adilet.zan.kz/eng/docs/Z1400000194#:~:text=Article%2025."),
        ("first-aid", "ҚР ДСМ-269/2020", "en", "https://adilet.zan.kz/eng/docs/V2000021814"),
        ("first-aid", "ҚР ДСМ-118/2020", "en", "https://adilet.zan.kz/rus/docs/V2000021399"),
        ("first-aid", "ҚР ДСМ-118/2020", "kk", "https://adilet.zan.kz/kaz/docs/V2000021399"),
        ("first-aid", "ҚР ДСМ-1/2030", "ru", None),  # an order we do not know: named, not linked
    ],
)
def test_official_text_per_source_point_and_language(source, point, language, url):
    assert official_url(source, point, language) == url
    assert reference_of(source, point, language).url == url


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_every_reference_of_the_real_bank_links_to_its_official_text(language):
    questions = real_bank_report().bank.questions
    forms = {(q.reference_source, q.reference_point) for q in questions}
    assert {"pdd", "koap", "st-rk-1125", "st-rk-1124", "pdd-faults", "pdd-admission", "first-aid"} <= {
        s for s, _ in forms
    }
    unlinked = [(source, point) for source, point in sorted(forms) if official_url(source, point, language) is None]
    assert unlinked == []
    for source, point in forms:
        url = official_url(source, point, language)
        assert url.startswith("https://adilet.zan.kz/" + {"kk": "kaz/", "ru": "rus/", "en": ""}[language])
        if source == "pdd" and point[0].isdigit():
            assert "#:~:text=" in url, point  # every point of the Rules reaches its chapter


def test_the_chapter_table_matches_the_chapters_of_the_rules():
    chapters = yaml.safe_load((Path(REAL_BANK) / "chapters.yaml").read_text(encoding="utf-8"))["chapters"]
    assert tuple(chapter["first"] for chapter in chapters) == RULES_CHAPTER_STARTS


def reference_links(html: str) -> list:
    return BeautifulSoup(html, "html.parser").select(".reference a")


@pytest.mark.parametrize(
    ("language", "chapter", "text", "hidden"),
    [
        ("en", "%D0%93%D0%BB%D0%B0%D0%B2%D0%B0%2010.", "point 73", "official text on adilet.zan.kz"),
        ("kk", "10%2D%D1%82%D0%B0%D1%80%D0%B0%D1%83.", "73-тармақ", "adilet.zan.kz"),
    ],
)
def test_question_browser_links_the_rules_in_the_page_language(client, loaded, language, chapter, text, hidden):
    html = client.get("/questions/", headers={"Accept-Language": language}).get_data(as_text=True)
    links = reference_links(html)
    assert links, html
    base = RULES_KK if language == "kk" else RULES_RU
    for link in links:
        # Same tab, marked as another site, its name saying where it leads.
        assert link["href"].startswith(base)
        assert link["rel"] == ["external", "noopener"]
        assert "target" not in link.attrs
        assert hidden in link.select_one(".visually-hidden").get_text()
    point = [link for link in links if text in link.get_text()]
    assert point
    assert point[0]["href"] == f"{base}#:~:text={chapter}"
    # Signs are reproduced in Annex 1 of the Rules: linked to the document.
    sign = [p for p in BeautifulSoup(html, "html.parser").select(".reference") if "1125" in p.get_text()]
    assert sign
    assert sign[0].find("a")["href"] == base


def test_practice_feedback_links_the_rules(app, bank, client, auth, make_user, frozen):
    auth.login(make_user().email)
    response = submit_form(
        client, "/exam/start", {"profile": "B", "language": "en", "mode": "practice", "topic": "t2"}, page_url="/exam/"
    )
    location = response.headers["Location"]
    html = client.get(location).get_data(as_text=True)
    assert reference_links(html) == []  # no feedback before answering
    option = BeautifulSoup(html, "html.parser").select_one("input[name=option]")["value"]
    submit_form(client, location, {"option": option, "go": "next"})
    links = reference_links(client.get(location).get_data(as_text=True))
    assert [link["href"] for link in links] == [CHAPTER_1_RU]  # point 1 of the Rules, in English: Russian text
    assert links[0]["rel"] == ["external", "noopener"]


@pytest.mark.parametrize(
    ("language", "alt"),
    [("kk", "Ақ көлденең жолағы бар қызыл дөңгелек"), ("ru", "Красный круг с белой горизонтальной полосой")],
)
def test_question_browser_shows_alt_text_in_the_page_language(client, loaded, language, alt):
    html = client.get("/questions/", headers={"Accept-Language": language}).get_data(as_text=True)
    assert BeautifulSoup(html, "html.parser").select_one(".question-image")["alt"] == alt


def test_the_result_page_links_each_reference_to_its_official_text(app, bank, client, auth, make_user, frozen):
    from tests.exam.test_result_page import finished_exam

    user = make_user()
    auth.login(user.email)
    attempt = finished_exam(app, user)
    links = reference_links(client.get(f"/exam/attempts/{attempt}/result?show=all").get_data(as_text=True))
    assert len(links) == 40  # every question of the review (the factory's questions cite point 1 of the Rules)
    assert {link["href"] for link in links} == {CHAPTER_1_RU}
    assert all(link["rel"] == ["external", "noopener"] for link in links)
    assert all("official text on adilet.zan.kz" in link.get_text() for link in links)
