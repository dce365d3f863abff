"""Appeals in the domain: receipts, registration, referral, extension, decision, withdrawal,
complaints, the centres' queues — and one outbox message per step."""

from datetime import date

import pytest

from app.appeals import applicant_steps, centre_steps, finding
from app.appeals.deadlines import Step, Urgency
from app.appeals.filing import Filing, file_appeal
from app.appeals.models import Appeal
from app.auth.models import User
from app.core.acting import Acting
from app.core.errors import DomainError, FieldErrors
from app.extensions import db
from app.notify.models import OutboxMessage
from tests.support.appeals_support import (
    ADDRESS,
    ESSENCE,
    appeal_keys,
    appeal_people,
    appeal_state,
    at,
    booking_with_result,
    file,
    outbox,
    staff_step,
)
from tests.support.booking_support import NOW, book, make_slot, run


@pytest.fixture
def people(app, make_user, centre):
    return appeal_people(app, make_user)


def queue(app, user_id, now=NOW):
    with app.app_context():
        items = finding.centre_queue(db.session, db.session.get(User, user_id), now)
        return [(item.appeal.receipt_number, item.pending.step, item.pending.due, item.urgency) for item in items]


def test_an_appeal_gets_a_receipt_with_its_deadlines_at_once(app, people):
    applicant = people["applicant"]
    appeal = file(app, applicant.id, booking_id=booking_with_result(app, applicant.id))
    state = appeal_state(app, appeal)
    assert state["receipt_number"] == "APL-ALM-2026-000001"
    assert state["status"] == "received"
    assert state["refer_due"] == date(2026, 12, 4)  # Tuesday 1 December + 3 working days
    assert state["decision_due"] == date(2026, 12, 23)  # + 15 working days, over Independence Day
    assert state["registrar"] == (None, None)  # until a staff member registers it
    with app.app_context():
        stored = db.session.get(Appeal, appeal)
        assert (stored.applicant_name, stored.applicant_iin) == ("Aliya Bekova", applicant.iin)
        assert (stored.essence, stored.postal_address, stored.subject) == (ESSENCE, ADDRESS, "exam-result")
    [(key, kind, payload)] = outbox(app)[-1:]
    assert (key, kind) == (f"appeal:{appeal}:received", "appeal-received")
    assert payload["receipt_number"] == "APL-ALM-2026-000001"
    assert payload["decision_due"] == "2026-12-23"


def test_receipt_numbers_run_per_receiving_centre_and_year(app, people):
    applicant = people["applicant"]
    numbers = [
        appeal_state(app, file(app, applicant.id, centre_code=code, now=now, essence=f"{ESSENCE} {n}"))[
            "receipt_number"
        ]
        for n, (code, now) in enumerate([("ALM", NOW), ("ALM", NOW), ("AST", NOW), ("ALM", at(2027, 1, 5))])
    ]
    assert numbers == ["APL-ALM-2026-000001", "APL-ALM-2026-000002", "APL-AST-2026-000001", "APL-ALM-2027-000001"]


def test_the_receipt_day_is_the_centres_day(app, people):
    # 20:00 UTC on 1 December is 01:00 on 2 December in Almaty.
    appeal = file(app, people["applicant"].id, centre_code="ALM", now=at(2026, 12, 1, 20))
    assert appeal_state(app, appeal)["refer_due"] == date(2026, 12, 7)


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"essence": " "}, {"essence"}),
        ({"postal_address": ""}, {"postal_address"}),
        ({"confirmed": False}, {"confirmed"}),
        ({"subject": "exam"}, {"subject"}),
        ({"subject": "exam-result"}, {"booking_id"}),  # a result is appealed from its booking
        ({"centre_code": "NOPE"}, {"centre"}),
        ({"centre_code": None}, {"centre"}),  # no booking: the centre addressed is needed
        ({"essence": "x" * 4001}, {"essence"}),
    ],
)
def test_an_incomplete_filing_says_what_is_missing(app, people, changes, fields):
    filing = Filing(
        **{"subject": "booking", "centre_code": "ALM", "essence": ESSENCE, "postal_address": ADDRESS, "confirmed": True}
        | changes
    )
    with app.app_context(), pytest.raises(FieldErrors) as raised:
        file_appeal(Acting(db.session, db.session.get(User, people["applicant"].id), NOW), filing)
    assert set(raised.value.errors) == fields


def test_a_result_is_appealed_only_from_a_booking_with_one(app, people):
    applicant = people["applicant"]
    booking = book(app, applicant.id, make_slot(app))
    with pytest.raises(FieldErrors) as raised:
        file(app, applicant.id, booking_id=booking, subject="exam-result")
    assert set(raised.value.errors) == {"booking_id"}
    # The booking itself (say, cancelled by the centre) can be appealed.
    assert appeal_state(app, file(app, applicant.id, booking_id=booking, subject="booking"))["centre"] == "ALM"


def test_another_persons_booking_is_not_found(app, people):
    booking = booking_with_result(app, people["other"].id)
    with pytest.raises(DomainError) as raised:
        file(app, people["applicant"].id, booking_id=booking)
    assert (raised.value.code, raised.value.status) == ("booking-not-found", 404)


def test_the_competent_centre_is_the_bookings(app, people):
    booking = booking_with_result(app, people["applicant"].id, centre_code="AST")
    appeal = file(app, people["applicant"].id, booking_id=booking, centre_code="ALM")
    assert appeal_state(app, appeal)["centre"] == "AST"


def test_registration_puts_the_staff_member_on_the_receipt(app, people):
    appeal = file(app, people["applicant"].id, centre_code="ALM")
    staff_step(app, centre_steps.register, appeal, people["staff"].id, "Chief specialist", now=at(2026, 12, 2))
    state = appeal_state(app, appeal)
    assert state["status"] == "registered"
    assert state["registrar"] == ("Erlan Zhaksybekov", "Chief specialist")
    assert state["events"] == ["received", "registered"]
    key, kind, payload = outbox(app)[-1]
    assert (key, kind) == (f"appeal:{appeal}:registered", "appeal-registered")
    assert payload["registrar_name"] == "Erlan Zhaksybekov"
    with pytest.raises(DomainError) as raised:
        staff_step(app, centre_steps.register, appeal, people["staff"].id, "Chief specialist")
    assert raised.value.code == "appeal-not-open"
    with app.app_context():
        assert finding.last_position(db.session, db.session.get(User, people["staff"].id)) == "Chief specialist"


def test_registration_needs_a_position(app, people):
    appeal = file(app, people["applicant"].id, centre_code="ALM")
    with pytest.raises(FieldErrors) as raised:
        staff_step(app, centre_steps.register, appeal, people["staff"].id, "  ")
    assert set(raised.value.errors) == {"position"}


def test_referral_moves_the_case_to_the_competent_centre(app, people):
    appeal = file(app, people["applicant"].id, centre_code="ALM")
    assert [step for _, step, _, _ in queue(app, people["staff"].id)] == [Step.REGISTER_OR_REFER]
    staff_step(app, centre_steps.refer, appeal, people["staff"].id, "AST", "The exam was taken in Astana.")
    state = appeal_state(app, appeal)
    assert (state["centre"], state["status"], state["events"]) == ("AST", "received", ["received", "referred"])
    assert queue(app, people["staff"].id) == []
    # At the competent centre the referral term is spent; the decision term still runs from receipt.
    assert queue(app, people["astana"].id) == [
        ("APL-ALM-2026-000001", Step.DECIDE, date(2026, 12, 23), Urgency.ON_TIME)
    ]
    key, _kind, payload = outbox(app)[-1]
    assert (key, payload["centre"], payload["note"]) == (
        f"appeal:{appeal}:referred",
        "AST",
        "The exam was taken in Astana.",
    )
    with pytest.raises(DomainError):  # once only
        staff_step(app, centre_steps.refer, appeal, people["astana"].id, "ALM", "Back again")


def test_referral_goes_to_another_centre_with_a_reason(app, people):
    appeal = file(app, people["applicant"].id, centre_code="ALM")
    with pytest.raises(FieldErrors) as raised:
        staff_step(app, centre_steps.refer, appeal, people["staff"].id, "ALM", "")
    assert set(raised.value.errors) == {"centre", "note"}


def registered(app, people, now=NOW):
    appeal = file(app, people["applicant"].id, centre_code="ALM", now=now)
    staff_step(app, centre_steps.register, appeal, people["staff"].id, "Chief specialist", now=now)
    return appeal


def test_extension_by_a_reasoned_decision_up_to_two_months(app, people):
    appeal = registered(app, people)
    staff_step(
        app,
        centre_steps.extend,
        appeal,
        people["staff"].id,
        date(2027, 1, 29),
        "An expert opinion is needed.",
        now=at(2026, 12, 11),
    )
    state = appeal_state(app, appeal)
    assert state["decision_due"] == date(2027, 1, 29)
    assert state["extension_notice_due"] == date(2026, 12, 17)  # 3 working days, over Independence Day
    key, _kind, payload = outbox(app)[-1]
    assert (key, payload["decision_due"], payload["reason"]) == (
        f"appeal:{appeal}:extended",
        "2027-01-29",
        "An expert opinion is needed.",
    )
    with pytest.raises(DomainError) as raised:  # once only
        staff_step(app, centre_steps.extend, appeal, people["staff"].id, date(2027, 2, 1), "More time")
    assert raised.value.code == "appeal-not-open"


@pytest.mark.parametrize(
    ("until", "reason", "fields"),
    [
        (date(2027, 2, 2), "Reason", {"until"}),  # two months from 1 December end on 1 February
        (date(2026, 12, 23), "Reason", {"until"}),  # not later than the current term
        (None, "Reason", {"until"}),
        (date(2027, 2, 1), "", {"reason"}),
    ],
)
def test_extension_limits(app, people, until, reason, fields):
    appeal = registered(app, people)
    with pytest.raises(FieldErrors) as raised:
        staff_step(app, centre_steps.extend, appeal, people["staff"].id, until, reason)
    assert set(raised.value.errors) == fields


def test_no_extension_after_the_term_has_ended(app, people):
    appeal = registered(app, people)
    with pytest.raises(DomainError) as raised:
        staff_step(
            app, centre_steps.extend, appeal, people["staff"].id, date(2027, 1, 20), "Late", now=at(2026, 12, 24)
        )
    assert raised.value.code == "deadline-passed"


def test_a_received_appeal_is_registered_before_it_is_extended_or_decided(app, people):
    appeal = file(app, people["applicant"].id, centre_code="ALM")
    for operation, args in [
        (centre_steps.extend, (date(2027, 1, 20), "Reason")),
        (centre_steps.decide, ("rejected", "No")),
    ]:
        with pytest.raises(DomainError) as raised:
            staff_step(app, operation, appeal, people["staff"].id, *args)
        assert raised.value.code == "appeal-not-open"


def test_decision_with_reasons_starts_the_complaint_term(app, people):
    appeal = registered(app, people)
    staff_step(
        app, centre_steps.decide, appeal, people["staff"].id, "rejected", "The answer was wrong.", now=at(2026, 12, 4)
    )
    state = appeal_state(app, appeal)
    assert (state["status"], state["complaint_due"]) == ("decided", date(2027, 3, 4))
    key, _kind, payload = outbox(app)[-1]
    assert (key, payload["outcome"], payload["reasons"], payload["complaint_due"]) == (
        f"appeal:{appeal}:decided",
        "rejected",
        "The answer was wrong.",
        "2027-03-04",
    )
    with pytest.raises(FieldErrors) as raised:
        staff_step(app, centre_steps.decide, registered(app, people), people["staff"].id, "maybe", "")
    assert set(raised.value.errors) == {"outcome", "reasons"}


def withdraw(app, appeal_id, now=NOW):
    return run(app, lambda s: applicant_steps.withdraw(Acting(s, None, now), s.get(Appeal, appeal_id)))


def test_withdrawal_before_the_decision_only(app, people):
    for appeal in (file(app, people["applicant"].id, centre_code="ALM", essence="another"), registered(app, people)):
        withdraw(app, appeal)
        assert appeal_state(app, appeal)["status"] == "withdrawn"
        assert appeal_keys(app)[-1] == f"appeal:{appeal}:withdrawn"
    decided = registered(app, people)
    staff_step(app, centre_steps.decide, decided, people["staff"].id, "upheld", "Recounted.")
    with pytest.raises(DomainError) as raised:
        withdraw(app, decided)
    assert raised.value.code == "appeal-not-open"
    assert queue(app, people["staff"].id) == []  # withdrawn and decided cases owe nothing


def complain(app, appeal_id, late_reason=None, now=NOW):
    return run(
        app,
        lambda s: applicant_steps.file_complaint(
            Acting(s, None, now), s.get(Appeal, appeal_id), "I disagree.", late_reason
        ),
    )


def decided(app, people, now=NOW):
    appeal = registered(app, people, now=now)
    staff_step(app, centre_steps.decide, appeal, people["staff"].id, "rejected", "Correct as marked.", now=now)
    return appeal


def test_complaint_on_time_is_decided_within_5_working_days_by_someone_else(app, people):
    appeal = decided(app, people)  # decided on 1 December 2026
    complain(app, appeal, now=at(2026, 12, 11))
    state = appeal_state(app, appeal)
    assert state["complaint"] == {"late": False, "due": date(2026, 12, 21), "outcome": None}
    assert queue(app, people["staff"].id, now=at(2026, 12, 18)) == [
        ("APL-ALM-2026-000001", Step.DECIDE_COMPLAINT, date(2026, 12, 21), Urgency.NEARLY_DUE)
    ]
    with pytest.raises(DomainError) as raised:  # nobody reviews their own decision
        staff_step(app, centre_steps.decide_complaint, appeal, people["staff"].id, "rejected", "Still right.")
    assert raised.value.code == "own-decision"
    staff_step(app, centre_steps.decide_complaint, appeal, people["colleague"].id, "upheld", "A second look agrees.")
    assert appeal_state(app, appeal)["complaint"]["outcome"] == "upheld"
    assert appeal_keys(app)[-2:] == [f"appeal:{appeal}:complaint-received", f"appeal:{appeal}:complaint-decided"]
    with pytest.raises(DomainError):  # one complaint per decision
        complain(app, appeal, now=at(2026, 12, 22))


def test_a_late_complaint_is_accepted_with_its_reason(app, people):
    appeal = decided(app, people)  # the complaint term ends on 1 March 2027
    with pytest.raises(FieldErrors) as raised:
        complain(app, appeal, now=at(2027, 3, 2))
    assert set(raised.value.errors) == {"late_reason"}
    complain(app, appeal, late_reason="I was in hospital.", now=at(2027, 3, 2))
    assert appeal_state(app, appeal)["complaint"]["late"] is True
    with app.app_context():
        assert db.session.get(Appeal, appeal).complaint.late_reason == "I was in hospital."


def test_a_complaint_on_the_last_day_is_on_time(app, people):
    appeal = decided(app, people)
    complain(app, appeal, now=at(2027, 3, 1))
    assert appeal_state(app, appeal)["complaint"]["late"] is False


def test_no_complaint_before_a_decision(app, people):
    with pytest.raises(DomainError) as raised:
        complain(app, registered(app, people))
    assert raised.value.code == "complaint-not-possible"


def test_the_queue_puts_the_nearest_deadline_first_and_flags_urgency(app, people):
    applicant = people["applicant"].id
    old = file(app, applicant, centre_code="ALM", now=at(2026, 11, 24), essence="1")  # refer by 27 November: overdue
    soon = file(app, applicant, centre_code="ALM", now=at(2026, 11, 27), essence="2")  # refer by 2 December: tomorrow
    fresh = file(app, applicant, centre_code="ALM", essence="3")  # refer by 4 December
    file(app, applicant, centre_code="AST", essence="4")  # another centre's
    assert queue(app, people["staff"].id) == [
        (appeal_state(app, old)["receipt_number"], Step.REGISTER_OR_REFER, date(2026, 11, 27), Urgency.OVERDUE),
        (appeal_state(app, soon)["receipt_number"], Step.REGISTER_OR_REFER, date(2026, 12, 2), Urgency.NEARLY_DUE),
        (appeal_state(app, fresh)["receipt_number"], Step.REGISTER_OR_REFER, date(2026, 12, 4), Urgency.ON_TIME),
    ]
    assert len(queue(app, people["admin"].id)) == 4  # admins see every centre's


def test_every_step_queues_one_message_to_the_applicant(app, people):
    appeal = decided(app, people)
    complain(app, appeal)
    staff_step(app, centre_steps.decide_complaint, appeal, people["colleague"].id, "rejected", "Confirmed.")
    events = ["received", "registered", "decided", "complaint-received", "complaint-decided"]
    assert appeal_keys(app) == [f"appeal:{appeal}:{event}" for event in events]
    with app.app_context():
        assert {row.user_id for row in db.session.scalars(db.select(OutboxMessage))} == {people["applicant"].id}
