"""The three calendar views: each offers the waitlist of a full time or day, and switching view keeps the
period being looked at."""

from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa

from app.booking.models import WaitlistEntry
from app.extensions import db
from tests.conftest import PASSWORD, submit_form
from tests.support.booking_support import book, local, make_slot
from tests.support.pages import soup

MONTH = "/booking/centres/ALM?exam=theory&category=B&view=month&date={day}"


def switch_links(page) -> dict[str, str]:
    """view -> the date its link in the view switch opens on."""
    links = {}
    for link in page.select(".view-switch a"):
        query = parse_qs(urlsplit(link["href"]).query)
        links[query["view"][0]] = query["date"][0]
    return links


def test_a_full_day_of_the_month_offers_its_waitlist(client, app, applicant, make_user):
    first = book(app, make_user().id, make_slot(app, starts=local(2026, 12, 10, 9), capacity=1))
    second = make_slot(app, starts=local(2026, 12, 10, 10), capacity=1)
    book(app, make_user().id, second)
    make_slot(app, starts=local(2026, 12, 11, 9))  # a day with free places: booked, not waited for
    page_url = MONTH.format(day="2026-12-01")
    page = soup(client.get(page_url))
    cells = {cell.select_one(".calendar-month__day").get_text(): cell for cell in page.select("td") if cell.span}

    buttons = cells["10"].select("button")
    assert len(buttons) == 1
    button = buttons[0]
    assert button["form"] == "month-waitlist"
    assert "Wait for any time this day" in button.get_text()
    assert "December 10, 2026" in button.select_one(".visually-hidden").get_text()  # its name says which day
    assert cells["11"].select("button") == []
    # The buttons submit the page's one form, which carries this person's CSRF token and the whole-day scope.
    form = page.select_one("form#month-waitlist")
    fields = {field["name"]: field["value"] for field in form.select("input")}
    assert fields["scope"] == "day"
    assert fields["csrf_token"]
    assert fields["next"] == page_url

    response = client.post(button["formaction"], data=fields)
    assert response.status_code == 302
    assert response.headers["Location"] == "/booking/mine"
    with app.app_context():
        entry = db.session.scalar(sa.select(WaitlistEntry))
        assert (entry.day.isoformat(), entry.slot_id) == ("2026-12-10", None)  # the whole day
    assert first  # booked by someone else: the day is full for everyone


def test_the_month_grid_is_shared_but_the_waitlist_form_is_personal(client, app, applicant, make_user):
    book(app, make_user().id, make_slot(app, starts=local(2026, 12, 10, 9), capacity=1))
    page_url = MONTH.format(day="2026-12-01")
    mine = soup(client.get(page_url))
    other = app.test_client()
    other.environ_base.update(client.environ_base)  # the same language
    submit_form(other, "/account/login", {"email": make_user().email, "password": PASSWORD})
    theirs = soup(other.get(page_url))
    assert str(mine.select_one(".calendar-month")) == str(theirs.select_one(".calendar-month"))
    token = "input[name=csrf_token]"
    assert (
        mine.select_one(f"#month-waitlist {token}")["value"] != theirs.select_one(f"#month-waitlist {token}")["value"]
    )


def test_a_month_without_full_days_has_no_waitlist_form(client, app, applicant):
    make_slot(app, starts=local(2026, 12, 10, 9))
    page = soup(client.get(MONTH.format(day="2026-12-01")))
    assert page.select_one("#month-waitlist") is None
    assert page.select(".calendar-month button") == []


def test_month_to_week_opens_the_months_first_free_place(client, app, applicant):
    book(app, applicant.id, make_slot(app, starts=local(2027, 1, 6, 9), capacity=1))  # full
    make_slot(app, starts=local(2027, 1, 13, 10))
    links = switch_links(soup(client.get(MONTH.format(day="2027-01-01"))))
    # Not the current week, nor the week of 1 January (most of it in December).
    assert links == {"month": "2027-01-01", "week": "2027-01-13", "table": "2027-01-13"}
    week = soup(client.get(f"/booking/centres/ALM?exam=theory&category=B&view=week&date={links['week']}"))
    assert "11 Jan – 17 Jan 2027" in week.select_one("table caption").get_text()


def test_month_to_week_without_free_places(client, app, applicant):
    book(app, applicant.id, make_slot(app, starts=local(2027, 1, 6, 9), capacity=1))
    assert switch_links(soup(client.get(MONTH.format(day="2027-01-01"))))["week"] == "2027-01-06"  # full, but there
    assert switch_links(soup(client.get(MONTH.format(day="2027-02-01"))))["week"] == "2027-02-01"  # no exams
    assert switch_links(soup(client.get(MONTH.format(day="2026-12-01"))))["week"] == "2026-12-01"  # today


def test_week_and_table_keep_their_week_and_lead_to_its_month(client, app, applicant):
    make_slot(app, starts=local(2027, 3, 30, 9))
    for view in ("week", "table"):
        page = soup(client.get(f"/booking/centres/ALM?exam=theory&category=B&view={view}&date=2027-03-31"))
        # The week of 29 March to 4 April lies mostly in April (its Thursday is 1 April).
        assert switch_links(page) == {"month": "2027-04-01", "week": "2027-03-29", "table": "2027-03-29"}, view
    page = soup(client.get("/booking/centres/ALM?exam=theory&category=B&view=week&date=2027-03-24"))
    assert switch_links(page)["month"] == "2027-03-25"
    month = soup(client.get("/booking/centres/ALM?exam=theory&category=B&view=month&date=2027-04-01"))
    assert "April 2027" in month.caption.get_text()
