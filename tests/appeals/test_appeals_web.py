"""Appeals in the browser: applicants file from a booking, follow the deadlines, withdraw and
complain; staff work through their centre's queue. Access: own appeals, own centre only (404)."""

from datetime import date

import pytest
from bs4 import BeautifulSoup

from app.appeals import applicant_steps, centre_steps
from app.appeals.models import Appeal
from app.core.acting import Acting
from tests.conftest import submit_form
from tests.support.appeals_support import (
    ADDRESS,
    ESSENCE,
    appeal_keys,
    appeal_people,
    appeal_state,
    at,
    booking_with_result,
    file,
    staff_step,
)
from tests.support.booking_support import NOW, freeze, run


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True).replace("\u202f", " "), "html.parser")


def flashes(response) -> str:
    return " ".join(p.get_text(" ", strip=True) for p in soup(response).select(".flash"))


@pytest.fixture
def people(app, make_user, centre):
    return appeal_people(app, make_user)


@pytest.fixture
def sign_in(auth, people):
    def as_(who: str):
        auth.logout()
        auth.login(people[who].email)

    return as_


def test_appeal_from_an_exam_result(client, app, people, sign_in):
    booking = booking_with_result(app, people["applicant"].id)
    sign_in("applicant")
    page = soup(client.get(f"/booking/{booking}"))
    link = page.find("a", href=f"/appeals/new?booking={booking}")
    assert link is not None

    form_page = soup(client.get(f"/appeals/new?booking={booking}"))
    facts = form_page.select_one("dl.facts").get_text(" ", strip=True)
    assert "Aliya Bekova" in facts
    assert people["applicant"].iin in facts
    assert "Exam result" in facts
    assert form_page.find("select", id="centre") is None  # the booking names the centre

    url = f"/appeals/new?booking={booking}"
    response = submit_form(client, url, {"postal_address": ADDRESS, "essence": ESSENCE})
    assert response.status_code == 422  # no confirmation in place of a signature
    assert "signature" in soup(response).select_one(".error-summary").get_text()

    response = submit_form(client, url, {"postal_address": ADDRESS, "essence": ESSENCE, "confirmed": "y"})
    assert response.status_code == 302
    assert "APL-ALM-2026-000001" in flashes(client.get(response.headers["Location"]))
    detail = soup(client.get(response.headers["Location"]))
    receipt = detail.select_one(".receipt").get_text(" ", strip=True)
    assert "APL-ALM-2026-000001" in receipt
    assert "December 1, 2026" in receipt
    assert "Not yet registered by a staff member" in receipt
    assert "December 23, 2026" in detail.select_one(".decision-due").get_text()
    terms = detail.select_one(".terms").get_text(" ", strip=True)
    assert "Administrative Procedural Code of the Republic of Kazakhstan" in terms
    assert "working days" in terms


def test_appeal_about_a_refused_booking_names_the_centre(client, app, people, sign_in):
    sign_in("applicant")
    page = soup(client.get("/appeals/new"))
    assert [option["value"] for option in page.select("#centre option")] == ["ALM", "AST"]
    response = submit_form(
        client, "/appeals/new", {"centre": "AST", "postal_address": ADDRESS, "essence": ESSENCE, "confirmed": "y"}
    )
    assert response.status_code == 302
    mine = soup(client.get("/appeals/"))
    row = mine.select_one("tbody tr").get_text(" ", strip=True)
    assert "APL-AST-2026-000001" in row
    assert "Register or refer" in row
    assert "December 4, 2026" in row


def test_applicant_withdraws_before_the_decision(client, app, people, sign_in):
    appeal = file(app, people["applicant"].id, centre_code="ALM")
    sign_in("applicant")
    response = submit_form(client, f"/appeals/{appeal}/withdraw", {}, page_url=f"/appeals/{appeal}")
    assert response.status_code == 302
    assert appeal_state(app, appeal)["status"] == "withdrawn"
    assert soup(client.get(f"/appeals/{appeal}")).find("form", action=f"/appeals/{appeal}/withdraw") is None


def decided(app, people, now=NOW):
    appeal = file(app, people["applicant"].id, centre_code="ALM", now=now)
    staff_step(app, centre_steps.register, appeal, people["staff"].id, "Chief specialist", now=now)
    staff_step(app, centre_steps.decide, appeal, people["staff"].id, "rejected", "Correct as marked.", now=now)
    return appeal


def test_applicant_sees_the_decision_and_complains(client, app, people, sign_in):
    appeal = decided(app, people)
    sign_in("applicant")
    page = soup(client.get(f"/appeals/{appeal}"))
    assert "Correct as marked." in page.select_one(".decision").get_text()
    assert "Erlan Zhaksybekov, Chief specialist" in page.select_one(".registrar").get_text()
    assert "March 1, 2027" in page.select_one(".complaint-due").get_text()
    assert page.find("textarea", id="late_reason") is None  # on time: no reason for delay asked
    response = submit_form(
        client, f"/appeals/{appeal}/complaint", {"essence": "I disagree."}, page_url=f"/appeals/{appeal}"
    )
    assert response.status_code == 302
    assert appeal_state(app, appeal)["complaint"]["due"] == date(2026, 12, 8)


def test_a_late_complaint_asks_for_the_reason(client, app, people, sign_in):
    appeal = decided(app, people)
    freeze(at(2027, 3, 2))
    sign_in("applicant")
    page = soup(client.get(f"/appeals/{appeal}"))
    assert "still accepted" in page.select_one(".warning").get_text()
    url = f"/appeals/{appeal}/complaint"
    response = submit_form(client, url, {"essence": "I disagree."}, page_url=f"/appeals/{appeal}")
    assert response.status_code == 422
    response = submit_form(
        client, url, {"essence": "I disagree.", "late_reason": "I was abroad."}, page_url=f"/appeals/{appeal}"
    )
    assert response.status_code == 302
    assert appeal_state(app, appeal)["complaint"]["late"] is True


def test_staff_queue_highlights_overdue_and_nearly_due_cases(client, app, people, sign_in):
    file(app, people["applicant"].id, centre_code="ALM", now=at(2026, 11, 24), essence="1")  # overdue
    file(app, people["applicant"].id, centre_code="ALM", now=at(2026, 11, 27), essence="2")  # due tomorrow
    file(app, people["applicant"].id, centre_code="ALM", essence="3")
    file(app, people["applicant"].id, centre_code="AST", essence="4")
    sign_in("staff")
    page = soup(client.get("/staff/appeals/"))
    rows = page.select("tbody tr")
    assert [row["class"][-1] for row in rows] == ["queue-row--overdue", "queue-row--nearly-due", "queue-row--on-time"]
    assert [row.th.get_text(strip=True) for row in rows] == [
        "APL-ALM-2026-000001",
        "APL-ALM-2026-000002",
        "APL-ALM-2026-000003",
    ]
    assert "Overdue" in rows[0].get_text()
    assert "Due within 1 working day" in rows[1].get_text()
    assert people["applicant"].iin not in page.get_text()  # masked in the queue
    assert people["applicant"].iin[:4] + "******" in page.get_text()
    summary = page.select_one(".queue-summary").get_text(" ", strip=True)
    assert "3 cases owe a step" in summary
    assert "1 overdue" in summary
    terms = page.select_one(".terms").get_text(" ", strip=True)
    assert "Administrative Procedural Code" in terms
    assert "working days" in terms
    sign_in("admin")
    assert len(soup(client.get("/staff/appeals/")).select("tbody tr")) == 4


def test_staff_register_extend_and_decide_in_the_browser(client, app, people, sign_in):
    appeal = file(app, people["applicant"].id, centre_code="ALM")
    sign_in("staff")
    case = f"/staff/appeals/{appeal}"
    response = submit_form(client, f"{case}/register", {"register-position": ""}, page_url=case)
    assert response.status_code == 422
    response = submit_form(client, f"{case}/register", {"register-position": "Chief specialist"}, page_url=case)
    assert response.status_code == 302
    assert "registered" in flashes(client.get(case))
    response = submit_form(
        client, f"{case}/extend", {"extend-until": "2027-02-02", "extend-reason": "Expert needed"}, page_url=case
    )
    assert response.status_code == 422  # beyond two months from receipt
    assert "no later than 2027-02-01" in soup(response).select_one("#extend-until-error").get_text()
    response = submit_form(
        client, f"{case}/extend", {"extend-until": "2027-01-29", "extend-reason": "Expert needed"}, page_url=case
    )
    assert response.status_code == 302
    response = submit_form(
        client, f"{case}/decide", {"decide-outcome": "upheld", "decide-reasons": "Recounted: passed."}, page_url=case
    )
    assert response.status_code == 302
    assert appeal_state(app, appeal)["status"] == "decided"
    assert appeal_keys(app) == [
        f"appeal:{appeal}:{event}" for event in ("received", "registered", "extended", "decided")
    ]


def test_staff_refer_and_the_new_centre_takes_over(client, app, people, sign_in):
    appeal = file(app, people["applicant"].id, centre_code="ALM")
    sign_in("staff")
    case = f"/staff/appeals/{appeal}"
    assert [o["value"] for o in soup(client.get(case)).select("#refer-centre option")] == ["AST"]
    response = submit_form(
        client, f"{case}/refer", {"refer-centre": "AST", "refer-note": "Exam in Astana"}, page_url=case
    )
    assert response.status_code == 302
    assert client.get(case).status_code == 404  # now another centre's case
    sign_in("astana")
    assert "Exam in Astana" in soup(client.get(case)).get_text()


def test_staff_decide_a_complaint(client, app, people, sign_in):
    appeal = decided(app, people)
    run(app, lambda s: applicant_steps.file_complaint(Acting(s, None, NOW), s.get(Appeal, appeal), "Unfair.", None))
    sign_in("staff")
    case = f"/staff/appeals/{appeal}"
    data = {"complaint-outcome": "rejected", "complaint-reasons": "Still correct."}
    response = submit_form(client, f"{case}/complaint", data, page_url=case)
    assert response.status_code == 302
    assert "someone other than" in flashes(client.get(case))  # who decided the appeal
    sign_in("colleague")
    assert submit_form(client, f"{case}/complaint", data, page_url=case).status_code == 302
    assert appeal_state(app, appeal)["complaint"]["outcome"] == "rejected"


APPLICANT_ROUTES = [("get", "/appeals/{id}"), ("post", "/appeals/{id}/withdraw"), ("post", "/appeals/{id}/complaint")]
STAFF_ROUTES = [
    ("get", "/staff/appeals/{id}"),
    ("post", "/staff/appeals/{id}/register"),
    ("post", "/staff/appeals/{id}/refer"),
    ("post", "/staff/appeals/{id}/extend"),
    ("post", "/staff/appeals/{id}/decide"),
    ("post", "/staff/appeals/{id}/complaint"),
]


def _call(client, method, path):
    if method == "get":
        return client.get(path)
    return submit_form(client, path, {}, page_url="/")


@pytest.mark.parametrize(("method", "path"), APPLICANT_ROUTES)
def test_another_persons_appeal_is_not_found(client, app, people, sign_in, method, path):
    appeal = file(app, people["applicant"].id, centre_code="ALM")
    sign_in("other")
    assert _call(client, method, path.format(id=appeal)).status_code == 404
    assert appeal_state(app, appeal)["status"] == "received"


@pytest.mark.parametrize(("method", "path"), STAFF_ROUTES)
def test_another_centres_appeal_is_not_found(client, app, people, sign_in, method, path):
    appeal = file(app, people["applicant"].id, centre_code="ALM")
    sign_in("astana")
    assert _call(client, method, path.format(id=appeal)).status_code == 404
    assert appeal_state(app, appeal)["events"] == ["received"]


@pytest.mark.parametrize(
    ("path", "user", "staff", "admin"),
    [("/appeals/", 200, 403, 403), ("/appeals/new", 200, 403, 403), ("/staff/appeals/", 403, 200, 200)],
)
def test_who_may_open_the_appeal_pages(client, people, sign_in, path, user, staff, admin):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login?next=")
    for who, expected in (("applicant", user), ("staff", staff), ("admin", admin)):
        sign_in(who)
        assert client.get(path).status_code == expected


def test_admin_opens_any_case(client, app, people, sign_in):
    appeal = file(app, people["applicant"].id, centre_code="AST")
    sign_in("admin")
    assert client.get(f"/staff/appeals/{appeal}").status_code == 200


@pytest.mark.parametrize(
    ("who", "link"), [("applicant", "/appeals/"), ("staff", "/staff/appeals/"), ("admin", "/staff/appeals/")]
)
def test_navigation_links(client, people, sign_in, who, link):
    sign_in(who)
    assert link in {a["href"] for a in soup(client.get("/")).select("header nav a")}


def test_another_persons_booking_cannot_be_appealed(client, app, people, sign_in):
    booking = booking_with_result(app, people["other"].id)
    sign_in("applicant")
    assert client.get(f"/appeals/new?booking={booking}").status_code == 404
