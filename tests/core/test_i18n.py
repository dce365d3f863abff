"""Three complete languages, chosen as: account preference > cookie > browser > Kazakh."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup

from tests.conftest import submit_form
from tests.support.mail import confirm_registration

TRANSLATIONS = Path(__file__).resolve().parents[2] / "app" / "translations"
SIGN_IN = {"kk": "Кіру", "ru": "Войти", "en": "Sign in"}


def page_language(response) -> str:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser").html["lang"]


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_catalogue_is_complete(language):
    with (TRANSLATIONS / "messages.pot").open("rb") as pot:
        template = read_po(pot)
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po, locale=language)
    expected = {message.id for message in template if message.id}
    translated = {
        message.id
        for message in catalogue
        if message.id
        and not message.fuzzy
        and all(message.string if isinstance(message.string, tuple) else [message.string])
    }
    assert expected - translated == set()


@pytest.mark.parametrize(
    ("header", "expected"), [("ru-RU,ru;q=0.9", "ru"), ("en-GB", "en"), ("kk", "kk"), ("de", "kk")]
)
def test_browser_language_is_used(client, header, expected):
    response = client.get("/account/login", headers={"Accept-Language": header})
    assert page_language(response) == expected
    assert SIGN_IN[expected] in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("kk", "Бұл бетті ашу үшін жүйеге кіріңіз."),
        ("ru", "Войдите, чтобы открыть эту страницу."),
        ("en", "Please sign in to see this page."),
    ],
)
def test_a_page_for_signed_in_people_sends_others_to_sign_in_in_their_language(client, language, message):
    response = client.get("/booking/mine", headers={"Accept-Language": language}, follow_redirects=True)
    assert response.request.path == "/account/login"
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert [flash.get_text(strip=True) for flash in page.select(".flash")] == [message]


def test_cookie_beats_browser_and_account_beats_cookie(client, auth, make_user):
    response = submit_form(client, "/language", {"lang": "ru", "next": "/account/login"}, page_url="/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login"
    assert page_language(client.get("/", headers={"Accept-Language": "en"})) == "ru"

    user = make_user(language="kk")
    auth.login(user.email)
    assert page_language(client.get("/")) == "kk"


def test_switching_language_when_signed_in_saves_the_preference(client, app, auth, make_user):
    from app.auth.models import User
    from app.extensions import db

    user = make_user(language="kk")
    auth.login(user.email)
    submit_form(client, "/language", {"lang": "en"}, page_url="/")
    with app.app_context():
        assert db.session.get(User, user.id).language == "en"
    client.delete_cookie("kezek_lang")
    assert page_language(client.get("/")) == "en"


def test_unknown_language_is_refused(client):
    assert submit_form(client, "/language", {"lang": "de"}, page_url="/").status_code == 400


def test_language_switch_does_not_redirect_off_site(client):
    response = submit_form(client, "/language", {"lang": "en", "next": "//evil.example"}, page_url="/")
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(
    ("language", "text"), [("kk", "Бет табылмады"), ("ru", "Страница не найдена"), ("en", "Page not found")]
)
def test_error_pages_speak_each_language(client, language, text):
    response = client.get("/no-such-page", headers={"Accept-Language": language})
    assert response.status_code == 404
    assert text in response.get_data(as_text=True)


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_register_and_sign_in_in_each_language(client, app, language):
    form = {
        "email": f"new-{language}@example.kz",
        "full_name": "Дана Серікқызы",
        "iin": "880515300208",
        "language": language,
        "password": "kolik-zhol-777",
        "password_confirm": "kolik-zhol-777",
    }
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    assert page_language(client.get("/account/register")) == language
    assert submit_form(client, "/account/register", form).status_code == 302
    assert confirm_registration(client, app, form["email"]).status_code == 302
    home = client.get("/")
    assert page_language(home) == language
    submit_form(client, "/account/logout", {}, page_url="/")
    response = submit_form(client, "/account/login", {"email": form["email"], "password": form["password"]})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("kk", "Біздің жақта ақау орын алды"),
        ("ru", "На нашей стороне произошла ошибка"),
        ("en", "Something went wrong"),
    ],
)
def test_server_error_page_in_each_language(app, language, text):
    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    app.config["PROPAGATE_EXCEPTIONS"] = False  # behave as in production
    client = app.test_client()
    response = client.get("/boom", headers={"Accept-Language": language})
    assert response.status_code == 500
    assert text in response.get_data(as_text=True)
    assert "kaboom" not in response.get_data(as_text=True)
    api = client.get("/api/v1/openapi.json")  # the API keeps answering
    assert api.status_code == 200


@pytest.mark.parametrize(
    ("language", "text"), [("kk", "Сұрауда қате бар"), ("ru", "В запросе ошибка"), ("en", "Something is wrong")]
)
def test_bad_request_page_in_each_language(client, language, text):
    response = client.post("/account/login", data={}, headers={"Accept-Language": language})  # no CSRF token
    assert response.status_code == 400
    assert text in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("language", "text"), [("kk", "Бұл бетті аша алмайсыз"), ("ru", "Вы не можете"), ("en", "You cannot")]
)
def test_forbidden_page_in_each_language(client, auth, make_user, language, text):
    auth.login(make_user().email)
    response = client.get("/admin/", headers={"Accept-Language": language})
    assert response.status_code == 403
    # The account has no language preference, so the browser's applies.
    assert text in response.get_data(as_text=True)
