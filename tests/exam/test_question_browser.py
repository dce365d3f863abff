"""Learners browse the bank by topic and search it in their language."""

import pytest
from bs4 import BeautifulSoup


def questions_on(response) -> list[str]:
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return [h.get_text(strip=True) for h in soup.select(".question-text")]


def test_all_questions_with_answers_and_references(client, loaded):
    response = client.get("/questions/")
    assert response.status_code == 200
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert len(soup.select(".question-card")) == 3
    correct = [li.get_text(" ", strip=True) for li in soup.select(".option--correct")]
    assert any("60 km/h" in text for text in correct)
    assert "Rules of the Road, point 73" in soup.get_text()
    assert "ST RK 1125, sign 3.1" in soup.get_text()
    image = soup.select_one(".question-image")
    assert image["alt"] == "A red disc with a white horizontal bar"


def test_filter_by_topic(client, loaded):
    assert questions_on(client.get("/questions/?topic=signs")) == ["What does this sign mean?"]
    # An unknown topic shows everything rather than failing.
    assert len(questions_on(client.get("/questions/?topic=weather"))) == 3


@pytest.mark.parametrize(
    ("language", "words", "expected"),
    [
        ("en", "MOTORWAY", ["What is the speed limit for a car on a motorway?"]),
        ("ru", "АВТОМАГИСТРАЛИ", ["Какая максимальная скорость разрешена легковому автомобилю на автомагистрали?"]),
        ("ru", "населенном", ["Какая максимальная скорость разрешена легковому автомобилю в населённом пункте?"]),
        ("kk", "АВТОМАГИСТРАЛЬДА", ["Автомагистральда жеңіл автомобильге ең жоғары жылдамдық қандай?"]),
        ("en", "no entry", ["What does this sign mean?"]),  # found in an option
        ("en", "140 parking", []),
        ("en", "100%_", []),
    ],
)
def test_search_in_each_language(client, loaded, language, words, expected):
    response = client.get("/questions/", query_string={"q": words}, headers={"Accept-Language": language})
    assert questions_on(response) == expected
    if not expected:
        assert "No questions match" in response.get_data(as_text=True)


def test_pagination(client, loaded):
    loaded.config["QUESTIONS_PER_PAGE"] = 2
    first = client.get("/questions/")
    second = client.get("/questions/?page=2")
    assert len(questions_on(first)) == 2
    assert len(questions_on(second)) == 1
    soup = BeautifulSoup(first.get_data(as_text=True), "html.parser")
    assert soup.select_one("a[rel=next]")["href"].endswith("page=2")
    assert questions_on(client.get("/questions/?page=99")) == []


def test_empty_bank_says_so(client, app):
    response = client.get("/questions/")
    assert response.status_code == 200
    assert "No questions match" in response.get_data(as_text=True)


def test_images_are_served_as_inert_pictures(client, loaded):
    response = client.get("/questions/images/sign-test.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert b"<title" in response.get_data()
    response.close()
    assert client.get("/questions/images/..%2Fprofiles.yaml").status_code == 404
    assert client.get("/questions/images/nope.svg").status_code == 404


def test_a_page_of_questions_costs_the_same_statements_whatever_its_length(app, client, bank):
    """Each question's categories come with the page (one statement for all), not one by one."""
    from tests.ops.test_server_timing import timing_of

    app.config["QUESTIONS_PER_PAGE"] = 2
    few = timing_of(client.get("/questions/"))["n"]
    app.config["QUESTIONS_PER_PAGE"] = 20
    response = client.get("/questions/")
    assert len(questions_on(response)) == 20
    assert timing_of(response)["n"] == few
