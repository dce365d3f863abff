"""Injection and XSS through every form and every query string, on SQLite and PostgreSQL.

A crawler signs in as each kind of person, opens every page of the url map, fills every form it
finds (text fields with the attack, the other fields with plausible values) and posts it; then
every page is read again, with the attack in every query parameter too. Nothing may answer 5xx,
and no page may carry the attack's markup unescaped (stored or reflected).
"""

from __future__ import annotations

import itertools
import re
from datetime import date

import pytest
from bs4 import BeautifulSoup

from app.auth.iin import make_iin
from tests.conftest import PASSWORD
from tests.support.access_matrix import pages_for, sample_url, server_error
from tests.support.hardening_support import seed_world

ATTACKS = {
    "markup": '<script>alert(1)</script>"><img src=x onerror=alert(1)>',
    "sql": "' OR 1=1 --",
    "long": "Ж" * 5000,
    "nul": "a\x00b",
}
# What must never appear in a page as markup (the escaped text is fine).
UNESCAPED = ("<script>alert(1)", "<img src=x onerror")
# Forms the crawler leaves alone: signing out would end its own session.
SKIPPED_ACTIONS = ("/account/logout", "/account/sessions/end-all")
QUERY_PARAMETERS = ("q", "date", "view", "city", "exam", "category", "page", "topic", "lang", "next", "day", "status")
CRAWLERS = ("anonymous", "user", "staff", "admin")  # admin last: it may deactivate the staff member


class Crawler:
    def __init__(self, client, attack: str):
        self.client = client
        self.attack = attack
        self.emails = itertools.count(1)

    def check(self, response, what: str) -> None:
        assert not server_error(response), f"{what}: {response.status_code}"
        if response.mimetype == "text/html":
            html = response.get_data(as_text=True)
            for marker in UNESCAPED:
                assert marker not in html, f"{what}: unescaped {marker!r}"
        response.close()

    def value(self, field) -> str | None:
        kind = (field.get("type") or "text").lower()
        name = field.get("name", "")
        if kind in ("hidden", "submit", "button"):
            return field.get("value", "")
        if kind in ("checkbox", "radio"):
            return field.get("value", "y")
        if kind == "email" or name == "email":
            return f"crawler{next(self.emails)}@example.kz"
        if kind == "password":
            return PASSWORD
        if name == "iin":
            return make_iin(date(1990, 5, 5), "female", 4000 + next(self.emails))
        if kind == "date":
            return "2026-12-10"
        if kind == "time":
            return "09:00"
        if kind == "number":
            return field.get("min") or "1"
        return self.attack

    def form_data(self, form) -> dict[str, str]:
        data: dict[str, str] = {}
        for field in form.find_all(["input", "textarea", "select"]):
            name = field.get("name")
            if not name or name in data:
                continue
            if field.name == "select":
                options = [option.get("value", option.get_text()) for option in field.find_all("option")]
                data[name] = next((value for value in options if value), "")
            elif field.name == "textarea":
                data[name] = self.attack
            else:
                data[name] = self.value(field)
        return data

    def submit_forms(self, url: str) -> None:
        response = self.client.get(url)
        html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        self.check(response, url)
        for form in BeautifulSoup(html, "html.parser").find_all("form"):
            action = form.get("action") or url
            if (form.get("method") or "get").lower() != "post" or action.startswith(SKIPPED_ACTIONS):
                continue
            self.check(self.client.post(action, data=self.form_data(form)), f"POST {action} (from {url})")

    def read_with_attack_in_the_query(self, url: str) -> None:
        query = "&".join(f"{name}={self.attack}" for name in QUERY_PARAMETERS)
        self.check(self.client.get(f"{url}?{query}"), f"{url} with the attack in the query")


@pytest.mark.parametrize("attack", ATTACKS.values(), ids=ATTACKS.keys())
def test_attacks_through_every_form_and_query(app, make_user, attack):
    world = seed_world(app, make_user)
    for role in CRAWLERS:
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        if role != "anonymous":
            with client.session_transaction() as session:
                session["_user_id"] = world.logins[role]
                session["_fresh"] = True
        crawler = Crawler(client, attack)
        urls = [sample_url(endpoint, rule, world.ids) for endpoint, rule in pages_for(role)]
        for url in urls:
            crawler.submit_forms(url)
        # Stored attacks show up on the pages read after every form was sent.
        for url in urls:
            crawler.read_with_attack_in_the_query(url)


def test_question_search_treats_the_query_as_text(client, app):
    """The search is a LIKE over stored text: SQL and wildcards in it are just characters."""
    response = client.get("/questions/", query_string={"q": "%' OR 1=1 --"})
    assert response.status_code == 200
    assert re.search(r"<script>alert", client.get("/questions/?q=<script>alert(1)</script>").get_data(True)) is None


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("GET", "/booking/centres/A%00B", None),
        ("GET", "/questions/?q=a%00b", None),
        ("GET", "/api/v1/slots?centre=A%00B&exam=theory&category=B", None),
        ("POST", "/api/v1/auth/token", {"email": "a\x00b@example.kz", "password": "x"}),
        ("POST", "/api/v1/auth/register", {"email": "a@example.kz", "full_name": ["a\x00b"]}),
    ],
)
def test_nul_bytes_are_refused_before_they_reach_the_database(client, method, url, body):
    response = client.open(url, method=method, json=body)
    assert response.status_code == 400


@pytest.mark.parametrize(
    "url", ["/booking/2147483648", "/staff/slots/99999999999999999999", "/api/v1/bookings/2147483648"]
)
def test_ids_beyond_the_database_integer_name_nothing(client, url):
    assert client.get(url).status_code == 404
