"""Staff services on both databases: generation from templates, closures, the capacity floor,
blocking with notifications and priority rebooking, check-in, no-shows, results and the audit log."""

from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from app.auth.models import Role, User
from app.booking import places
from app.booking.eligibility import BookingFacts, SlotFacts, refusal_to_book
from app.booking.models import Booking, Slot
from app.centres.services import find_centre
from app.core.errors import DomainError, FieldErrors
from app.extensions import db
from app.staff import exam_day, schedule, scope, slots
from tests.support.booking_support import NOW, POLICY, book, hold, local, make_slot, run
from tests.support.staff_support import (
    acting,
    audit_actions,
    book_before,
    booking_of,
    make_template,
    outbox,
    slot_of,
)

LATER = NOW + POLICY.hold_ttl + timedelta(seconds=1)


@pytest.fixture
def admin(make_user):
    return make_user(role=Role.ADMIN)


def generate(app, days=28, now=NOW):
    return run(app, lambda s: schedule.generate_slots(s, now, days))


def local_slots(app) -> list[tuple[date, time, str, int | None]]:
    with app.app_context():
        slots = db.session.scalars(sa.select(Slot).order_by(Slot.starts_at, Slot.category))
        return [(s.local_date, s.local_starts_at.time(), s.category, s.template_id) for s in slots]


def add_closure(app, admin_id, first, last, reason="Repairs of the exam hall"):
    def operation(session):
        centre = find_centre(session, "ALM")
        _, removed, blocked = schedule.add_closure(acting(session, admin_id), centre, first, last, reason)
        return removed, blocked

    return run(app, operation)


def test_generation_skips_holidays_and_closures_and_is_idempotent(app, centre, admin):
    template = make_template(app, admin.id)  # Wednesdays 09:00–11:00, A and B
    # 02:00 on Wednesday in Almaty is still Tuesday in UTC: the slot is Wednesday's all the same.
    night = make_template(app, admin.id, opens_at=time(2), closes_at=time(3), categories=("C",))
    add_closure(app, admin.id, date(2026, 12, 23), date(2026, 12, 23))
    assert generate(app) == 10
    expected = [
        (day, start, category, template_id)
        for day in (date(2026, 12, 2), date(2026, 12, 9), date(2026, 12, 30))  # 16th: holiday, 23rd: closed
        for start, category, template_id in [
            (time(2), "C", night),
            (time(9), "A", template),
            (time(9), "B", template),
            (time(10), "A", template),
            (time(10), "B", template),
        ]
        if day < date(2026, 12, 29)
    ]
    assert local_slots(app) == expected
    with app.app_context():
        night_slot = db.session.scalar(sa.select(Slot).where(Slot.category == "C").order_by(Slot.starts_at))
        assert night_slot.starts_at.date() == date(2026, 12, 1)  # UTC: the day before
    # Again, and again a week later: nothing twice; the horizon moves on.
    assert generate(app) == 0
    assert generate(app, now=NOW + timedelta(days=7)) == 5  # Wednesday 30 December
    assert len(local_slots(app)) == 15


def test_closure_removes_free_times_and_blocks_booked_ones(app, centre, admin, make_user):
    make_template(app, admin.id)
    generate(app)
    applicant = make_user()
    with app.app_context():
        booked_slot = db.session.scalar(
            sa.select(Slot.id).where(Slot.category == "B", Slot.starts_at == local(2026, 12, 9, 10))
        )
    booking = book(app, applicant.id, booked_slot)
    assert add_closure(app, admin.id, date(2026, 12, 9), date(2026, 12, 9), "Election day") == (3, 1)
    assert slot_of(app, booked_slot)["blocked"] == "Election day"
    assert booking_of(app, booking)["status"] == "cancelled"
    assert [kind for kind, *_ in outbox(app, "slot-blocked")] == ["slot-blocked"]
    assert audit_actions(app) == ["template-created", "closure-added"]


def test_closure_needs_a_reason_and_a_range(app, centre, admin):
    with pytest.raises(FieldErrors) as error:
        add_closure(app, admin.id, date(2026, 12, 10), date(2026, 12, 9), "")
    assert set(error.value.errors) == {"last_day", "reason"}


def test_capacity_never_below_what_is_booked(app, centre, admin, make_user):
    slot = make_slot(app, capacity=3)
    first, second, third = make_user(), make_user(), make_user()
    book(app, first.id, slot)
    book(app, second.id, slot)
    hold(app, third.id, slot)

    def change(capacity, now=NOW):
        return run(
            app,
            lambda s: slots.set_capacity(acting(s, admin.id, now), s.get(Slot, slot), capacity),
        )

    with pytest.raises(FieldErrors) as error:
        change(2)
    assert "3 places of this time are already booked" in str(error.value.errors["capacity"][0])
    assert slot_of(app, slot)["capacity"] == 3
    # Once the hold has expired it takes no place: two confirmed bookings are the floor.
    change(2, LATER)
    assert slot_of(app, slot) == {"capacity": 2, "booked": 2, "blocked": None}
    with pytest.raises(FieldErrors):
        change(1, LATER)
    change(6, LATER)
    assert slot_of(app, slot)["capacity"] == 6
    assert audit_actions(app) == ["capacity-changed", "capacity-changed"]


def test_block_cancels_bookings_notifies_and_gives_priority(app, centre, admin, make_user):
    slot = make_slot(app)  # Thursday 3 December
    first, second, third = make_user(), make_user(), make_user()
    confirmed = book(app, first.id, slot)
    held = hold(app, second.id, slot)

    def block():
        return run(
            app,
            lambda s: [b.id for b in slots.block_slot(acting(s, admin.id), s.get(Slot, slot), " Examiner  ill ")],
        )

    assert block() == [confirmed, held]
    assert slot_of(app, slot) == {"capacity": 20, "booked": 0, "blocked": "Examiner ill"}
    for booking in (confirmed, held):
        state = booking_of(app, booking)
        assert (state["status"], state["rebook_priority"], state["events"][-1]) == ("cancelled", True, "blocked")
    messages = outbox(app, "slot-blocked")
    assert [(booking_id, payload["reason"]) for _, booking_id, payload in messages] == [
        (confirmed, "Examiner ill"),
        (held, "Examiner ill"),
    ]
    with pytest.raises(DomainError) as error:
        block()
    assert error.value.code == "slot-blocked"
    with pytest.raises(DomainError) as error:
        hold(app, third.id, slot)
    assert error.value.code == "slot-full"

    # Priority: a place within the change cut-off (tomorrow 08:00, 23 hours ahead) is open to the
    # applicants the centre cancelled, once, and not to others.
    soon = make_slot(app, starts=local(2026, 12, 2, 8))
    with pytest.raises(DomainError) as error:
        hold(app, third.id, soon)
    assert error.value.refusal.reason == "after-cutoff"
    rebooked = book(app, first.id, soon)
    assert booking_of(app, rebooked)["status"] == "confirmed"
    assert audit_actions(app) == ["slot-blocked"]


def facts(status, created, cancelled=None, priority=False):
    day = date(2026, 12, 10)
    return BookingFacts(
        id=hash((status, created)),
        exam_type="theory",
        category="B",
        status=status,
        created_at=created,
        starts_at=local(2026, 12, 10),
        local_date=day,
        cancelled_at=cancelled,
        rebook_priority=priority,
    )


@pytest.mark.parametrize(
    ("history", "reason"),
    [
        # Cancelled by the applicant, rebooked, that one cancelled too: the cool-down refuses.
        (
            [
                facts("cancelled", NOW - timedelta(days=3), NOW - timedelta(days=2)),
                facts("cancelled", NOW - timedelta(days=1), NOW),
            ],
            "cooldown",
        ),
        # … but if the centre cancelled the second one, the applicant may rebook at once.
        (
            [
                facts("cancelled", NOW - timedelta(days=3), NOW - timedelta(days=2)),
                facts("cancelled", NOW - timedelta(days=1), NOW, True),
            ],
            None,
        ),
        # The priority serves one booking: after it was used, the cool-down counts again.
        (
            [
                facts("cancelled", NOW - timedelta(days=3), NOW - timedelta(days=2), True),
                facts("cancelled", NOW - timedelta(days=1), NOW),
            ],
            "cooldown",
        ),
    ],
)
def test_priority_rebooking_lifts_the_cooldown_once(history, reason):
    slot = SlotFacts("theory", "B", local(2026, 12, 10), date(2026, 12, 10))
    refusal = refusal_to_book(slot, history, NOW + timedelta(minutes=1), POLICY)
    assert (refusal.reason if refusal else None) == reason


TODAY_2PM = local(2026, 12, 1, 14)  # NOW is 09:00 on Tuesday 1 December


def check_in(app, booking_id, admin_id, now=NOW, **missing):
    documents = {"identity": True, "medical": True, "fee": True, "school": True, **missing}
    return run(
        app,
        lambda s: exam_day.check_in(acting(s, admin_id, now), s.get(Booking, booking_id), documents).status,
    )


def test_check_in_admits_only_with_every_document(app, centre, admin, make_user):
    slot = make_slot(app, starts=TODAY_2PM)
    complete, incomplete, absent = (book_before(app, make_user().id, slot) for _ in range(3))
    with pytest.raises(DomainError) as error:
        check_in(app, complete, admin.id, NOW - timedelta(days=1))
    assert error.value.code == "check-in-closed"
    assert check_in(app, complete, admin.id) == "attended"
    assert check_in(app, incomplete, admin.id, medical=False, school=False) == "refused"
    assert booking_of(app, incomplete)["missing"] == ["medical", "school"]
    # Back with the certificates while the exam is on: admitted.
    assert check_in(app, incomplete, admin.id, NOW + timedelta(hours=5)) == "attended"
    assert booking_of(app, incomplete)["events"][-2:] == ["refused", "checked-in"]
    with pytest.raises(DomainError) as error:
        check_in(app, complete, admin.id)
    assert error.value.code == "not-checkable"
    with pytest.raises(DomainError) as error:
        check_in(app, absent, admin.id, TODAY_2PM + timedelta(hours=1))
    assert error.value.code == "check-in-closed"
    assert audit_actions(app) == ["checked-in", "not-admitted", "checked-in"]


def test_no_shows_are_marked_after_the_exam_in_one_statement(app, centre, admin, make_user):
    slot = make_slot(app, starts=TODAY_2PM)
    came, absent = book_before(app, make_user().id, slot), book_before(app, make_user().id, slot)
    check_in(app, came, admin.id)
    assert run(app, lambda s: exam_day.mark_no_shows(s, NOW)) == 0
    with pytest.raises(DomainError) as error:
        run(app, lambda s: exam_day.mark_slot_no_shows(acting(s, admin.id), s.get(Slot, slot)))
    assert error.value.code == "slot-not-over"
    after = TODAY_2PM + timedelta(hours=1)
    assert run(app, lambda s: exam_day.mark_no_shows(s, after)) == 1
    assert run(app, lambda s: exam_day.mark_no_shows(s, after)) == 0
    assert (booking_of(app, absent)["status"], booking_of(app, absent)["events"][-1]) == ("no-show", "no-show")
    assert booking_of(app, came)["status"] == "attended"


def result(app, booking_id, admin_id, passed, points, now=TODAY_2PM + timedelta(minutes=50)):
    return run(
        app,
        lambda s: exam_day.record_result(acting(s, admin_id, now), s.get(Booking, booking_id), passed, points).status,
    )


def test_results_feed_eligibility_and_notify(app, centre, admin, make_user):
    theory = make_slot(app, starts=TODAY_2PM)
    practical = make_slot(app, exam="practical", starts=local(2026, 12, 10), capacity=4)
    learner = make_user()
    booking = book_before(app, learner.id, theory)
    with pytest.raises(DomainError) as error:
        result(app, booking, admin.id, True, 35)
    assert error.value.code == "not-admitted"
    check_in(app, booking, admin.id)
    with pytest.raises(DomainError) as error:
        result(app, booking, admin.id, True, 35, now=NOW)
    assert error.value.code == "exam-not-started"
    with pytest.raises(FieldErrors) as error:
        result(app, booking, admin.id, True, 31)
    assert "32" in str(error.value.errors["points"][0])
    with pytest.raises(DomainError) as error:
        hold(app, learner.id, practical)
    assert error.value.refusal.reason == "theory-required"

    assert result(app, booking, admin.id, True, 35) == "passed"
    assert booking_of(app, booking)["score"] == 35
    [(_, booking_id, payload)] = outbox(app, "exam-result")
    assert (booking_id, payload["passed"], payload["score"]) == (booking, True, 35)
    # The theory pass opens the practical exam.
    assert booking_of(app, hold(app, learner.id, practical))["status"] == "held"
    assert audit_actions(app) == ["checked-in", "result-recorded"]


def test_practical_result_with_penalty_points(app, centre, admin, make_user):
    slot = make_slot(app, exam="practical", starts=TODAY_2PM, capacity=4)
    learner = make_user()
    with app.app_context():
        theory = Booking(
            user_id=learner.id,
            slot_id=make_slot(app, starts=local(2026, 11, 20)),
            exam_type="theory",
            category="B",
            status="passed",
            created_at=NOW - timedelta(days=20),
        )
        db.session.add(theory)
        db.session.commit()
    booking = book_before(app, learner.id, slot)
    check_in(app, booking, admin.id)
    assert result(app, booking, admin.id, False, 7) == "failed"
    assert booking_of(app, booking)["penalty_points"] == 7
    with app.app_context():
        history = places.booking_history(db.session, learner.id)
    # After a first failure the next attempt is possible from the next working day.
    tomorrow = SlotFacts("practical", "B", local(2026, 12, 3), date(2026, 12, 1))
    assert refusal_to_book(tomorrow, history, NOW, POLICY).reason == "retake-wait"


def test_staff_scope(app, centre, make_user):
    from tests.conftest import make_centre

    make_centre(app, "AST")
    own, other = make_slot(app), make_slot(app, centre_code="AST")
    staff, admin = make_user(role=Role.STAFF, centre_code="ALM"), make_user(role=Role.ADMIN)
    with app.app_context():
        member, boss = db.session.get(User, staff.id), db.session.get(User, admin.id)
        assert scope.slot_for(db.session, member, own) is not None
        assert scope.slot_for(db.session, member, other) is None
        assert scope.centre_for(db.session, member, "ast") is None
        assert scope.slot_for(db.session, boss, other) is not None
