"""One winner for every state change, on PostgreSQL (SQLite takes the write lock at BEGIN, so two
requests there never both read before either writes).

Each test interleaves two requests (tests/support/races_support.py): both read, then both write. The one
that writes first wins; the other is refused with a 409 and changes nothing, and afterwards each
slot's counter equals its live bookings and every change is in the history once.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.appeals import applicant_steps, centre_steps
from app.appeals.models import Appeal, AppealEvent
from app.auth.models import Role, User
from app.booking import expiry, holds, waitlist
from app.booking.models import ACTIVE_STATUSES, Booking, BookingEvent, Slot, WaitlistEntry
from app.core.acting import Acting
from app.exam import answering, attempt_access, drawing, finishing
from app.exam.models import Attempt, AttemptQuestion, ExamProfile
from app.extensions import db
from app.staff import exam_day, slots
from tests.conftest import BACKENDS, EXAM_START
from tests.support.appeals_support import appeal_people, file, staff_step
from tests.support.booking_support import (
    NOW,
    POLICY,
    assert_booking_invariants,
    book,
    freeze,
    hold,
    local,
    make_slot,
    run,
)
from tests.support.races_support import Request, interleave, post_at_once, same_twice
from tests.support.servers import served, tokens_for
from tests.support.staff_support import acting, audit_actions, book_before, outbox

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.parametrize("db_url", [b for b in BACKENDS if b == "postgresql"], indirect=True),
]
CHANGED = "concurrent-change"
TODAY_2PM = local(2026, 12, 1, 14)  # NOW is 09:00 on Tuesday 1 December


def load_booking(booking_id: int):
    """What a booking view loads: the booking and its slot."""

    def read(session):
        booking = session.get(Booking, booking_id)
        assert booking.slot is not None
        return booking

    return read


def cancel(session, booking):
    holds.cancel(session, booking, NOW, POLICY)


def move_to(slot_id: int):
    return lambda session, booking: holds.reschedule(session, booking, slot_id, NOW, POLICY)


def confirm(session, booking):
    holds.confirm(session, booking, NOW, consent_personal_data=True, fee_receipt="KZ-2026-000123")


def events(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).where(BookingEvent.action == action))


def consistent(app) -> None:
    with app.app_context():
        assert_booking_invariants(db.session)


def places_agree(app) -> None:
    """Each slot's counter equals its live bookings (the waitlist's offers are holds too)."""
    with app.app_context():
        for slot in db.session.scalars(sa.select(Slot)):
            live = db.session.scalar(
                sa.select(sa.func.count()).where(Booking.slot_id == slot.id, Booking.status.in_(ACTIVE_STATUSES))
            )
            assert slot.booked == live <= slot.capacity


def booking_row(app, booking_id: int) -> Booking:
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        db.session.expunge(booking)
        return booking


# --- The applicant's changes -----------------------------------------------------------------------


def test_two_cancels_of_one_booking_cancel_it_once(app, centre, make_user):
    slot = make_slot(app, capacity=3)
    others = [book(app, make_user().id, slot) for _ in range(2)]
    booking = book(app, make_user().id, slot)

    assert same_twice(app, load_booking(booking), cancel) == ["ok", CHANGED]

    assert events(app, "cancelled") == 1
    consistent(app)  # booked is 2: the two other bookings still hold their places
    with app.app_context():
        assert db.session.get(Slot, slot).booked == len(others)


def test_two_moves_to_one_time_move_once(app, centre, make_user):
    slot, target = make_slot(app), make_slot(app, starts=local(2026, 12, 4))
    booking = book(app, make_user().id, slot)

    assert same_twice(app, load_booking(booking), move_to(target)) == ["ok", CHANGED]

    assert booking_row(app, booking).reschedule_count == 1
    assert events(app, "rescheduled") == 1
    consistent(app)


def test_parallel_moves_stay_within_the_move_limit(app, centre, make_user):
    first, second, third = (make_slot(app, starts=local(2026, 12, day)) for day in (3, 4, 7))
    booking = book(app, make_user().id, first)
    run(app, lambda s: holds.reschedule(s, s.get(Booking, booking), second, NOW, POLICY))  # one move of two

    outcomes = interleave(
        app, Request(load_booking(booking), move_to(third)), Request(load_booking(booking), move_to(first))
    )

    assert outcomes == ["ok", CHANGED]
    row = booking_row(app, booking)
    assert (row.slot_id, row.reschedule_count) == (third, POLICY.max_reschedules)
    consistent(app)  # the place left behind is freed once: no slot's counter goes below its bookings


def test_a_cancel_while_the_booking_moves_is_refused(app, centre, make_user):
    slot, target = make_slot(app), make_slot(app, starts=local(2026, 12, 4))
    booking = book(app, make_user().id, slot)

    assert interleave(app, Request(load_booking(booking), move_to(target)), Request(load_booking(booking), cancel)) == [
        "ok",
        CHANGED,
    ]
    assert booking_row(app, booking).status == "confirmed"
    consistent(app)


def test_two_confirmations_of_one_hold_issue_one_ticket(app, centre, make_user):
    booking = hold(app, make_user().id, make_slot(app))

    assert same_twice(app, load_booking(booking), confirm) == ["ok", CHANGED]

    assert booking_row(app, booking).ticket == "ALM-T-20261203-0001"
    assert events(app, "confirmed") == 1
    consistent(app)  # one confirmation message


def test_a_hold_let_go_while_it_is_confirmed_stays_confirmed(app, centre, make_user):
    booking = hold(app, make_user().id, make_slot(app))

    assert interleave(app, Request(load_booking(booking), confirm), Request(load_booking(booking), cancel)) == [
        "ok",
        CHANGED,
    ]
    assert booking_row(app, booking).status == "confirmed"
    consistent(app)


def test_a_hold_confirmed_while_the_sweep_expires_it_stays_expired(app, centre, make_user):
    booking = hold(app, make_user().id, make_slot(app))
    before_expiry, after_expiry = NOW + POLICY.hold_ttl - timedelta(seconds=1), NOW + POLICY.hold_ttl

    def sweep(session, _):
        expiry.release_expired_holds(session, after_expiry, POLICY)

    def confirm_in_time(session, found):
        holds.confirm(session, found, before_expiry, consent_personal_data=True, fee_receipt="KZ-2026-000123")

    outcomes = interleave(app, Request(lambda session: None, sweep), Request(load_booking(booking), confirm_in_time))

    assert outcomes == ["ok", CHANGED]  # before, the booking was confirmed on a place already freed
    assert booking_row(app, booking).status == "expired"
    consistent(app)


# --- The waitlist ----------------------------------------------------------------------------------


def wait_for(app, user_id: int, slot_id: int) -> int:
    return run(app, lambda s: waitlist.join_waitlist(s, s.get(User, user_id), slot_id, NOW, POLICY, whole_day=False))


def entry_status(app, entry_id: int) -> str:
    with app.app_context():
        return db.session.get(WaitlistEntry, entry_id).status


def holds_of(app, user_id: int) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).where(Booking.user_id == user_id, Booking.status == "held"))


def load_entry(entry_id: int):
    return lambda session: session.get(WaitlistEntry, entry_id)


def leave(user_id: int):
    def write(session, entry):
        if waitlist.leave_waitlist(session, session.get(User, user_id), entry.id) is None:
            raise AssertionError("the entry was not found")

    return write


def test_leaving_the_waitlist_while_a_place_is_offered_is_refused(app, centre, make_user):
    slot = make_slot(app, capacity=1)
    booking = book(app, make_user().id, slot)
    waiting, next_in_line = make_user(), make_user()
    entry, _ = wait_for(app, waiting.id, slot), wait_for(app, next_in_line.id, slot)

    outcomes = interleave(app, Request(load_booking(booking), cancel), Request(load_entry(entry), leave(waiting.id)))

    assert outcomes == ["ok", CHANGED]  # the place was offered: leaving now would strand the hold
    assert (entry_status(app, entry), holds_of(app, waiting.id), holds_of(app, next_in_line.id)) == ("offered", 1, 0)
    places_agree(app)


def test_a_place_freed_while_someone_leaves_goes_to_the_next_in_line(app, centre, make_user):
    slot = make_slot(app, capacity=1)
    booking = book(app, make_user().id, slot)
    leaving, next_in_line = make_user(), make_user()
    entry, other = wait_for(app, leaving.id, slot), wait_for(app, next_in_line.id, slot)

    outcomes = interleave(app, Request(load_entry(entry), leave(leaving.id)), Request(load_booking(booking), cancel))

    assert outcomes == ["ok", "ok"]
    assert (entry_status(app, entry), entry_status(app, other)) == ("left", "offered")
    assert (holds_of(app, leaving.id), holds_of(app, next_in_line.id)) == (0, 1)
    places_agree(app)


def test_two_places_freed_at_once_go_to_two_waiting_people(app, centre, make_user):
    slot = make_slot(app, capacity=2)
    bookings = [book(app, make_user().id, slot) for _ in range(2)]
    people = [make_user() for _ in range(3)]
    entries = [wait_for(app, person.id, slot) for person in people]

    outcomes = interleave(app, *(Request(load_booking(booking), cancel) for booking in bookings))

    assert outcomes == ["ok", "ok"]
    assert [entry_status(app, entry) for entry in entries] == ["offered", "offered", "waiting"]
    assert [holds_of(app, person.id) for person in people] == [1, 1, 0]
    places_agree(app)


def test_joining_a_waitlist_twice_at_once_joins_once(app, centre, make_user):
    slot = make_slot(app, capacity=1)
    book(app, make_user().id, slot)
    person = make_user()

    def join(session, user):
        waitlist.join_waitlist(session, user, slot, NOW, POLICY, whole_day=True)

    # Before, the second insert broke the unique index: a server error.
    assert same_twice(app, lambda session: session.get(User, person.id), join) == ["ok", "already-waiting"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(WaitlistEntry)) == 1


# --- Centre staff --------------------------------------------------------------------------------


def check_in(admin_id: int, now=NOW):
    documents = {"identity": True, "medical": True, "fee": True, "school": True}
    return lambda session, booking: exam_day.check_in(acting(session, admin_id, now), booking, documents)


def result(admin_id: int, passed: bool):
    return lambda session, booking: exam_day.record_result(
        acting(session, admin_id, TODAY_2PM + timedelta(minutes=30)),
        booking,
        passed,
        35 if passed else 20,
    )


def test_two_check_ins_at_once_admit_once(app, centre, make_user):
    admin = make_user(role=Role.ADMIN)
    booking = book_before(app, make_user().id, make_slot(app, starts=TODAY_2PM))

    assert same_twice(app, load_booking(booking), check_in(admin.id)) == ["ok", CHANGED]

    assert events(app, "checked-in") == 1
    assert audit_actions(app).count("checked-in") == 1


def test_two_results_at_once_record_one(app, centre, make_user):
    admin = make_user(role=Role.ADMIN)
    booking = book_before(app, make_user().id, make_slot(app, starts=TODAY_2PM))
    run(app, lambda s: check_in(admin.id)(s, s.get(Booking, booking)))

    outcomes = interleave(
        app,
        Request(load_booking(booking), result(admin.id, passed=True)),
        Request(load_booking(booking), result(admin.id, passed=False)),
    )

    assert outcomes == ["ok", CHANGED]
    row = booking_row(app, booking)
    assert (row.status, row.score) == ("passed", 35)
    assert (events(app, "passed"), events(app, "failed")) == (1, 0)
    assert [kind for kind, *_ in outbox(app, "exam-result")] == ["exam-result"]


def load_slot(slot_id: int):
    return lambda session: session.get(Slot, slot_id)


def block(admin_id: int):
    return lambda session, slot: slots.block_slot(acting(session, admin_id), slot, "Examiner ill")


def test_two_blocks_of_one_slot_cancel_its_bookings_once(app, centre, make_user):
    admin = make_user(role=Role.ADMIN)
    slot = make_slot(app, capacity=3)
    for _ in range(2):
        book(app, make_user().id, slot)
    hold(app, make_user().id, slot)

    assert same_twice(app, load_slot(slot), block(admin.id)) == ["ok", CHANGED]

    assert events(app, "blocked") == 3
    assert audit_actions(app).count("slot-blocked") == 1
    consistent(app)


def test_a_cancel_of_a_booking_the_centre_is_blocking_is_refused(app, centre, make_user):
    admin = make_user(role=Role.ADMIN)
    slot = make_slot(app, capacity=3)
    booking, other = book(app, make_user().id, slot), book(app, make_user().id, slot)

    outcomes = interleave(app, Request(load_slot(slot), block(admin.id)), Request(load_booking(booking), cancel))

    assert outcomes == ["ok", CHANGED]  # before, the second cancel took the counter below zero: a 500
    assert (events(app, "blocked"), events(app, "cancelled")) == (2, 0)
    assert booking_row(app, other).status == "cancelled"
    consistent(app)


def test_a_block_after_a_cancel_leaves_the_cancelled_booking_alone(app, centre, make_user):
    admin = make_user(role=Role.ADMIN)
    slot = make_slot(app, capacity=3)
    booking, _ = book(app, make_user().id, slot), book(app, make_user().id, slot)

    outcomes = interleave(app, Request(load_booking(booking), cancel), Request(load_slot(slot), block(admin.id)))

    assert outcomes == ["ok", "ok"]
    assert (events(app, "cancelled"), events(app, "blocked")) == (1, 1)
    consistent(app)


# --- Appeals ---------------------------------------------------------------------------------------


def load_appeal(appeal_id: int):
    return lambda session: session.get(Appeal, appeal_id)


def decide(staff_id: int, outcome: str):
    return lambda session, appeal: centre_steps.decide(
        Acting(session, session.get(User, staff_id), NOW), appeal, outcome, "The answer was marked right."
    )


def appeal_events(app, appeal_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(AppealEvent.action).where(AppealEvent.appeal_id == appeal_id).order_by(AppealEvent.id)
            )
        )


@pytest.fixture
def registered(app, make_user, centre):
    people = appeal_people(app, make_user)
    appeal = file(app, people["applicant"].id, centre_code="ALM")
    staff_step(app, centre_steps.register, appeal, people["staff"].id, "Chief specialist")
    return people, appeal


def test_two_decisions_on_one_appeal_record_one(app, registered):
    people, appeal = registered

    outcomes = interleave(
        app,
        Request(load_appeal(appeal), decide(people["staff"].id, "upheld")),
        Request(load_appeal(appeal), decide(people["colleague"].id, "rejected")),
    )

    assert outcomes == ["ok", CHANGED]
    assert appeal_events(app, appeal) == ["received", "registered", "decided"]
    with app.app_context():
        assert db.session.get(Appeal, appeal).outcome == "upheld"


def test_a_withdrawal_while_the_appeal_is_decided_is_refused(app, registered):
    people, appeal = registered

    outcomes = interleave(
        app,
        Request(load_appeal(appeal), decide(people["staff"].id, "rejected")),
        Request(
            load_appeal(appeal), lambda session, found: applicant_steps.withdraw(Acting(session, None, NOW), found)
        ),
    )

    assert outcomes == ["ok", CHANGED]
    assert appeal_events(app, appeal)[-1] == "decided"


def test_two_registrations_register_once(app, make_user, centre):
    people = appeal_people(app, make_user)
    appeal = file(app, people["applicant"].id, centre_code="ALM")

    def register(session, found):
        centre_steps.register(Acting(session, session.get(User, people["staff"].id), NOW), found, "Chief specialist")

    assert same_twice(app, load_appeal(appeal), register) == ["ok", CHANGED]
    assert appeal_events(app, appeal) == ["received", "registered"]


# --- Trial exams -----------------------------------------------------------------------------------


def start_exam(app, user_id: int) -> int:
    with app.app_context():
        attempt = drawing.start_attempt(
            db.session,
            owner=attempt_access.Owner(user_id=user_id),
            profile=db.session.scalar(sa.select(ExamProfile)),
            language="en",
            mode="exam",
            now=EXAM_START,
            rng=random.Random(7),
        )
        db.session.commit()
        return attempt.id


def test_an_answer_sent_while_the_exam_is_finished_is_refused(app, bank, make_user, frozen):
    attempt_id = start_exam(app, make_user().id)

    def load_attempt(session):
        attempt = session.get(Attempt, attempt_id)
        return attempt, attempt.items[0]

    def finish(session, loaded):
        finishing.finish_attempt(session, loaded[0], EXAM_START)

    def answer(session, loaded):
        attempt, item = loaded
        answering.answer(session, attempt, item, item.option_order[0], EXAM_START)

    assert interleave(app, Request(load_attempt, finish), Request(load_attempt, answer)) == ["ok", "attempt-closed"]
    with app.app_context():
        answered = db.session.scalar(
            sa.select(sa.func.count()).where(
                AttemptQuestion.attempt_id == attempt_id, AttemptQuestion.chosen_option_id.is_not(None)
            )
        )
        assert (db.session.get(Attempt, attempt_id).status, answered) == ("finished", 0)


# --- Over HTTP: one person with several API tokens -------------------------------------------------

TOKENS = 8


def test_one_cancel_sent_with_several_tokens_at_once_cancels_once(app, centre, make_user):
    freeze(NOW)
    slot = make_slot(app, capacity=2)
    person = make_user()
    booking, _ = book(app, person.id, slot), book(app, make_user().id, slot)
    tokens = tokens_for(app, [person] * TOKENS)

    with served(app) as port:
        answers = post_at_once(port, f"/api/v1/bookings/{booking}/cancel", tokens)
        statuses = Counter(status for status, _ in answers)
        assert statuses == {200: 1, 409: TOKENS - 1}
        assert {body["code"] for status, body in answers if status == 409} <= {CHANGED, "booking-not-active"}
        # One place was freed: of two more people, one gets it.
        late = tokens_for(app, [make_user(), make_user()])
        booked = [post_at_once(port, "/api/v1/bookings", [token], {"slot_id": slot})[0][0] for token in late]
    assert sorted(booked) == [201, 409]
    assert events(app, "cancelled") == 1
    consistent(app)


def test_one_move_sent_with_several_tokens_at_once_moves_once(app, centre, make_user):
    freeze(NOW)
    slot, target = make_slot(app), make_slot(app, starts=local(2026, 12, 4), capacity=1)
    person = make_user()
    booking = book(app, person.id, slot)
    tokens = tokens_for(app, [person] * TOKENS)

    with served(app) as port:
        answers = post_at_once(port, f"/api/v1/bookings/{booking}/reschedule", tokens, {"slot_id": target})

    assert Counter(status for status, _ in answers) == {200: 1, 409: TOKENS - 1}
    assert {body["code"] for status, body in answers if status == 409} <= {CHANGED, "same-slot"}
    assert booking_row(app, booking).reschedule_count == 1
    assert events(app, "rescheduled") == 1
    consistent(app)
