"""The practice API: packs (content, no exam key, ETag and 304, size on the real bank), answers
sent from devices (each client_id once), the FSRS due queue and progress."""

from __future__ import annotations

import gzip
import json
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from app.core import clock
from app.core.clock import utcnow
from app.exam import bank_validation
from app.exam.importing import import_bank
from app.exam.models import PracticeAnswer, QuestionProgress, ReviewCard
from app.extensions import db
from tests.conftest import PASSWORD
from tests.support.exam import START

PACK = "/api/v1/practice/pack"
ANSWERS = "/api/v1/practice/answers"


def bearer(client, user) -> dict:
    token = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD}).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


def answers_for(client, count: int, right: bool = True) -> list[dict]:
    questions = client.get(f"{PACK}?lang=en&category=B").get_json()["questions"][:count]
    return [
        {
            "client_id": str(uuid.uuid4()),
            "question_id": question["id"],
            "option_id": next(o["id"] for o in question["options"] if o["correct"] is right),
            "answered_at": (START - timedelta(minutes=count - index)).isoformat(),
        }
        for index, question in enumerate(questions)
    ]


def test_pack_has_the_key_and_answers_304_when_unchanged(app, bank, client):
    response = client.get(f"{PACK}?lang=ru&category=B")
    assert response.status_code == 200
    body = response.get_json()
    assert len(body["questions"]) == 60
    assert {topic["code"] for topic in body["topics"]} == {"t1", "t2"}
    question = body["questions"][0]
    assert sum(option["correct"] for option in question["options"]) == 1
    assert {"id", "topic", "text", "image_url", "explanation", "reference", "options"} <= set(question)
    # Practice feedback links the rule like the server's pages (the factory's questions cite point 1).
    assert question["reference_url"].startswith("https://adilet.zan.kz/rus/docs/V2300033003#:~:text=")
    etag = response.headers["ETag"]
    assert etag == f'"{body["version"]}-ru-B"'
    again = client.get(f"{PACK}?lang=ru&category=B", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert client.get(f"{PACK}?lang=en&category=B", headers={"If-None-Match": etag}).status_code == 200
    assert client.get(f"{PACK}?lang=en&category=B").headers["ETag"] != etag
    # A changed question changes the version.
    with app.app_context():
        db.session.execute(sa.text("UPDATE topic SET name_ru = 'Новое имя' WHERE code = 't1'"))
        db.session.commit()
    assert client.get(f"{PACK}?lang=ru&category=B", headers={"If-None-Match": etag}).status_code == 200
    assert client.get(f"{PACK}?lang=de&category=B").status_code == 422
    assert client.get(f"{PACK}?lang=en&category=Z").status_code == 404


@pytest.mark.slow  # imports the whole real bank
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_real_bank_packs_stay_under_a_megabyte_compressed(app, client):
    with app.app_context():
        import_bank(db.session, bank_validation.validate(app.config["QUESTION_BANK_PATH"]).bank, utcnow())
        db.session.commit()
    for language in ("kk", "ru", "en"):
        response = client.get(f"{PACK}?lang={language}&category=B")
        assert response.status_code == 200
        body = response.get_json()
        assert len(body["questions"]) > 100
        assert any(question["image_url"] for question in body["questions"])
        assert len(gzip.compress(response.data)) <= 1024 * 1024
        image = next(question["image_url"] for question in body["questions"] if question["image_url"])
        picture = client.get(image)
        assert picture.status_code == 200
        picture.close()


def test_answers_are_stored_once_per_client_id(app, bank, client, make_user, frozen):
    user = make_user()
    headers = bearer(client, user)
    batch = answers_for(client, 10)
    batch[3]["option_id"] = batch[4]["option_id"]  # an option of another question: refused
    first = client.post(ANSWERS, json={"answers": batch}, headers=headers)
    assert first.status_code == 200
    result = first.get_json()
    assert len(result["stored"]) == 9
    assert result["rejected"] == [{"client_id": batch[3]["client_id"], "code": "unknown-option"}]
    second = client.post(ANSWERS, json={"answers": batch + batch}, headers=headers).get_json()
    assert second["stored"] == []
    assert sorted(second["already_stored"]) == sorted(result["stored"])
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(PracticeAnswer.id))) == 9
        assert db.session.scalar(sa.select(sa.func.sum(QuestionProgress.times_seen))) == 9
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewCard)) == 9
    # Another learner may send the same UUIDs: they are theirs.
    other = client.post(ANSWERS, json={"answers": batch[:2]}, headers=bearer(client, make_user()))
    assert len(other.get_json()["stored"]) == 2


def test_answers_need_a_learner_and_a_csrf_token_by_cookie(app, bank, client, auth, make_user, frozen):
    batch = answers_for(client, 2)
    assert client.post(ANSWERS, json={"answers": batch}).status_code == 401
    assert client.get("/api/v1/practice/session").get_json() == {
        "signed_in": False,
        "csrf_token": None,
        "owner": None,
    }
    user = make_user()
    auth.login(user.email)
    refused = client.post(ANSWERS, json={"answers": batch})
    assert refused.status_code == 400
    assert refused.get_json()["code"] == "csrf-failed"
    token = client.get("/api/v1/practice/session").get_json()["csrf_token"]
    stored = client.post(ANSWERS, json={"answers": batch}, headers={"X-CSRFToken": token})
    assert len(stored.get_json()["stored"]) == 2
    bad = [{**batch[0], "client_id": "not-a-uuid"}]
    assert client.post(ANSWERS, json={"answers": bad}, headers={"X-CSRFToken": token}).status_code == 422
    app.config["PRACTICE_BATCH_LIMIT"] = 1
    assert client.post(ANSWERS, json={"answers": batch}, headers={"X-CSRFToken": token}).status_code == 422


def test_each_account_has_its_own_device_owner_tag_that_names_nobody(app, client, auth, make_user):
    owners = []
    for user in (make_user(), make_user()):
        auth.login(user.email)
        state = client.get("/api/v1/practice/session").get_json()
        assert state["signed_in"] is True
        assert len(state["owner"]) == 32  # an HMAC, not the account id
        assert client.get("/api/v1/practice/session").get_json()["owner"] == state["owner"]  # stable
        owners.append(state["owner"])
        auth.logout()
    assert owners[0] != owners[1]


def test_due_and_progress_follow_fsrs(app, bank, client, make_user, frozen):
    user = make_user()
    headers = bearer(client, user)
    right = answers_for(client, 3, right=True)
    wrong = answers_for(client, 5, right=False)[3:]
    client.post(ANSWERS, json={"answers": right + wrong}, headers=headers)
    due = client.get("/api/v1/practice/due?category=B", headers=headers).get_json()
    assert {item["question_id"] for item in due["due"]} == {item["question_id"] for item in wrong}
    assert sorted(due["mistakes"]) == sorted(item["question_id"] for item in wrong)
    frozen["now"] = START + timedelta(hours=1)
    due = client.get("/api/v1/practice/due?category=B", headers=headers).get_json()
    assert len(due["due"]) == 5  # the right ones' ten-minute learning step has passed too
    progress = client.get("/api/v1/practice/progress?category=B", headers=headers).get_json()
    t1 = next(topic for topic in progress["topics"] if topic["topic"] == "t1")
    assert (t1["questions"], t1["practised"], t1["right"], t1["mistakes"], t1["due"]) == (30, 5, 3, 2, 5)
    assert progress["device_answers"] == 5
    assert 0 < progress["readiness"]["probability"] < 0.01
    assert progress["readiness"]["answers_per_day"] == pytest.approx(5 / 14)
    assert client.get("/api/v1/practice/progress?category=B").status_code == 401


def test_exam_answers_feed_the_cards(app, bank, client, make_user, frozen):
    from tests.exam.test_practice import answer, start

    user = make_user()
    attempt_id = start(app, user, "practice", topic="t1")
    question_id, _ = answer(app, attempt_id, 1, right=False)
    with app.app_context():
        card = db.session.get(ReviewCard, (user.id, question_id))
        assert card.due_at == clock.utcnow() + timedelta(minutes=1)


def test_openapi_documents_the_practice_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/pack", "/answers", "/due", "/progress"):
        assert f"/api/v1/practice{path}" in paths


def test_readiness_page_shows_days_to_ready(app, bank, client, auth, make_user, frozen):
    user = make_user()
    auth.login(user.email)
    token = client.get("/api/v1/practice/session").get_json()["csrf_token"]
    client.post(ANSWERS, json={"answers": answers_for(client, 40)}, headers={"X-CSRFToken": token})
    soup = BeautifulSoup(client.get("/exam/readiness").get_data(as_text=True), "html.parser")
    text = " ".join(soup.get_text().split())
    assert "Estimated chance of passing" in text
    assert "answers a day" in text


def test_pack_is_compact_json(app, bank, client):
    response = client.get(f"{PACK}?lang=kk&category=B")
    assert response.mimetype == "application/json"
    assert json.loads(response.data)["lang"] == "kk"
    assert b", " not in response.data[:200]
