"""CSV exports in the reader's language: translated headers and statuses, the separator of their
choice (`;` by default in ru and kk, `,` in en), the byte-order mark; item statistics with the
question's text and flags only from a minimum number of answers."""

import csv
import io

import pytest

from app.auth.models import Role
from app.core import clock
from app.exam import finishing
from app.exam.models import Attempt
from app.exam.statistics import Answer, compute
from app.extensions import db
from tests.exam.test_practice import answer, start


def read(response, separator):
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # Excel reads the Cyrillic as UTF-8
    return list(csv.reader(io.StringIO(text[1:]), delimiter=separator))


@pytest.mark.parametrize(
    ("language", "separator", "ticket", "status"),
    [("ru", ";", "Талон", "Подтверждена"), ("kk", ";", None, None), ("en", ",", "Ticket", "Confirmed")],
)
def test_roster_csv_in_the_staffs_language_and_separator(
    client, auth, make_user, world, language, separator, ticket, status
):
    person = make_user(role=Role.STAFF, centre_code="ALM", language=language)
    auth.login(person.email)
    slot = world["ALM"]["slot"]
    rows = read(client.get(f"/staff/slots/{slot}/roster.csv"), separator)
    assert len(rows[0]) == 8
    assert len(rows[1]) == 8
    if ticket:
        assert rows[0][0] == ticket
        assert rows[1][3] == status
    else:  # Kazakh: not the English words
        assert rows[0][0] != "Ticket"
    comma = read(client.get(f"/staff/slots/{slot}/roster.csv?sep=comma"), ",")
    assert comma[0] == rows[0]
    tab = read(client.get(f"/staff/slots/{slot}/roster.csv?sep=tab"), "\t")
    assert tab[1] == rows[1]


def test_bookings_csv_headers_and_the_separator_choice_on_the_page(client, auth, make_user, world):
    person = make_user(role=Role.STAFF, centre_code="ALM", language="ru")
    auth.login(person.email)
    page = client.get("/staff/centres/ALM/dashboard").get_data(as_text=True)
    assert '<option value="semicolon" selected>' in page
    rows = read(client.get("/staff/centres/ALM/bookings.csv?first_day=2026-12-01&last_day=2026-12-01"), ";")
    header = dict(zip(rows[0], rows[1], strict=True))
    assert header["Талон"] == "ALM-T-20261201-0001"
    assert header["Статус"] == "Подтверждена"
    assert header["Экзамен"] == "Теоретический экзамен"


def test_item_flags_need_the_minimum_number_of_answers():
    answers = [Answer(n, 0, 7, False, 10) for n in range(5)]  # nobody got it right: too hard …
    assert compute(answers, min_answers=5)[7].flags == ["too-hard"]
    assert compute(answers, min_answers=6)[7].flags == []  # … but five answers are not enough to say


def test_item_statistics_show_the_question_in_the_staffs_language(app, bank, client, auth, make_user, frozen, centre):
    attempt_id = start(app, make_user(), "exam")
    answer(app, attempt_id, 1, right=False)
    with app.app_context():
        finishing.finish_attempt(db.session, db.session.get(Attempt, attempt_id), clock.utcnow())
        db.session.commit()
    person = make_user(role=Role.STAFF, centre_code=centre, language="ru")
    auth.login(person.email)
    app.config["ITEM_STATS_MIN_ANSWERS"] = 2
    page = client.get("/exam/statistics").get_data(as_text=True)
    assert "слишком" not in page  # one answer each: nothing flagged
    assert "question ru" in page
    rows = read(client.get("/exam/statistics.csv"), ";")
    assert rows[0][:3] == ["Вопрос", "Текст вопроса", "Ответы"]
    assert all(row[6] == "" for row in rows[1:])
    assert all(row[1] == f"{row[0]} question ru" for row in rows[1:])  # the Russian wording
    assert all("." not in row[3] for row in rows[1:])  # facility with a decimal comma
    app.config["ITEM_STATS_MIN_ANSWERS"] = 1
    flagged = read(client.get("/exam/statistics.csv"), ";")
    assert any(row[6] for row in flagged[1:])
