"""A reference to the Rules or the Code links to the official text on adilet.zan.kz, in the page's language."""

import pytest
from bs4 import BeautifulSoup

from app.exam.references import official_url, reference_of
from tests.conftest import submit_form

RULES_RU = "https://adilet.zan.kz/rus/docs/V2300033003"
RULES_KK = "https://adilet.zan.kz/kaz/docs/V2300033003"


@pytest.mark.parametrize(
    ("source", "language", "url"),
    [
        ("pdd", "ru", RULES_RU),
        ("pdd", "kk", RULES_KK),
        ("pdd", "en", RULES_RU),  # adilet has no English text
        ("pdd-admission", "kk", RULES_KK),  # approved by the same order
        ("pdd-faults", "ru", RULES_RU),
        ("koap", "kk", "https://adilet.zan.kz/kaz/docs/K1400000235"),
        ("koap", "en", "https://adilet.zan.kz/rus/docs/K1400000235"),
        ("st-rk-1125", "ru", None),
        ("first-aid", "ru", None),
    ],
)
def test_official_text_per_source_and_language(source, language, url):
    assert official_url(source, language) == url
    assert reference_of(source, "1", language).url == url


def reference_links(html: str) -> list:
    return BeautifulSoup(html, "html.parser").select(".reference a")


@pytest.mark.parametrize(("language", "url", "text"), [("en", RULES_RU, "point 73"), ("kk", RULES_KK, "73-тармақ")])
def test_question_browser_links_the_rules_in_the_page_language(client, loaded, language, url, text):
    html = client.get("/questions/", headers={"Accept-Language": language}).get_data(as_text=True)
    links = reference_links(html)
    assert links, html
    assert all(link["href"] == url and link["rel"] == ["noopener"] and "target" not in link.attrs for link in links)
    assert any(text in link.get_text() for link in links)
    # Signs rest on the standard, which is not on adilet: named, not linked.
    sign = [p for p in BeautifulSoup(html, "html.parser").select(".reference") if "1125" in p.get_text()]
    assert sign
    assert sign[0].find("a") is None


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
    assert [link["href"] for link in links] == [RULES_RU]
    assert links[0]["rel"] == ["noopener"]


@pytest.mark.parametrize(
    ("language", "alt"),
    [("kk", "Ақ көлденең жолағы бар қызыл дөңгелек"), ("ru", "Красный круг с белой горизонтальной полосой")],
)
def test_question_browser_shows_alt_text_in_the_page_language(client, loaded, language, alt):
    html = client.get("/questions/", headers={"Accept-Language": language}).get_data(as_text=True)
    assert BeautifulSoup(html, "html.parser").select_one(".question-image")["alt"] == alt
