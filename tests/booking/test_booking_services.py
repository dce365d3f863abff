"""Booking services on both databases: holds, expiry, confirmation, tickets, moves, cancellations,
the waitlist and the outbox."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.booking import availability, expiry, holds, places, results, waitlist
from app.booking.models import Booking, Slot, WaitlistEntry
from app.core.errors import DomainError, FieldErrors
from app.extensions import db
from app.notify.models import OutboxMessage
from app.notify.services import queue_message
from tests.support.booking_support import (
    NOW,
    POLICY,
    available,
    book,
    booking_state,
    confirm,
    hold,
    local,
    make_slot,
    run,
    slot_booked,
)

LATER = NOW + POLICY.hold_ttl + timedelta(seconds=1)


def outbox(app) -> list[tuple[str, int | None, int]]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(OutboxMessage.kind, OutboxMessage.booking_id, OutboxMessage.user_id).order_by(OutboxMessage.id)
        )
        return [tuple(row) for row in rows]


def cancel(app, booking_id, now=NOW):
    return run(app, lambda s: holds.cancel(s, s.get(Booking, booking_id), now, POLICY))


def reschedule(app, booking_id, slot_id, now=NOW):
    return run(app, lambda s: holds.reschedule(s, s.get(Booking, booking_id), slot_id, now, POLICY))


def record_result(app, booking_id, passed, now=NOW):
    return run(app, lambda s: results.record_result(s, s.get(Booking, booking_id), passed, now))


def test_hold_takes_a_place_until_it_expires(app, centre, make_user):
    user = make_user()
    slot = make_slot(app, capacity=2)
    booking = hold(app, user.id, slot)
    state = booking_state(app, booking)
    assert state["status"] == "held"
    assert state["hold_expires_at"] == NOW + POLICY.hold_ttl
    assert slot_booked(app, slot) == 1
    assert available(app, slot) == 1
    # An expired hold is free again at once, before any sweep has run.
    assert available(app, slot, LATER) == 2
    assert slot_booked(app, slot) == 1


def test_confirm_gives_a_ticket_and_queues_the_confirmation(app, centre, make_user):
    first, second = make_user(), make_user()
    slot = make_slot(app)
    practical = make_slot(app, exam="practical", starts=local(2026, 12, 3, 11), capacity=4)
    booking = book(app, first.id, slot)
    assert booking_state(app, booking)["ticket"] == "ALM-T-20261203-0001"
    assert booking_state(app, booking)["events"] == ["held", "confirmed"]
    assert booking_state(app, book(app, second.id, slot))["ticket"] == "ALM-T-20261203-0002"
    with app.app_context():
        record = db.session.get(Booking, booking)
        record.status = "passed"  # the theory exam is behind them
        db.session.commit()
    assert booking_state(app, book(app, first.id, practical))["ticket"] == "ALM-P-20261203-0003"
    assert [kind for kind, *_ in outbox(app)] == ["confirmation"] * 3


def test_ticket_uses_the_centres_local_day(app, make_user):
    from tests.conftest import make_centre

    make_centre(app, "ALM")
    user = make_user()
    # 00:30 on 4 December in Almaty is still 3 December in UTC.
    slot = make_slot(app, starts=local(2026, 12, 4, 0).replace(minute=30))
    assert booking_state(app, book(app, user.id, slot))["ticket"] == "ALM-T-20261204-0001"


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"consent_personal_data": False}, "consent_personal_data"), ({"fee_receipt": "x"}, "fee_receipt")],
)
def test_confirm_needs_consent_and_receipt(app, centre, make_user, changes, field):
    user = make_user()
    booking = hold(app, user.id, make_slot(app))
    arguments = {"consent_personal_data": True, "fee_receipt": "KZ-2026-000123", **changes}
    with pytest.raises(FieldErrors) as error:
        run(app, lambda s: holds.confirm(s, s.get(Booking, booking), NOW, **arguments))
    assert list(error.value.errors) == [field]
    assert booking_state(app, booking)["status"] == "held"


def test_confirm_after_expiry_is_refused(app, centre, make_user):
    user = make_user()
    booking = hold(app, user.id, make_slot(app))
    with pytest.raises(DomainError) as error:
        confirm(app, booking, LATER)
    assert (error.value.code, error.value.status) == ("hold-expired", 409)
    assert booking_state(app, booking)["ticket"] is None


def test_an_expired_hold_does_not_block_the_last_place(app, centre, make_user):
    first, second = make_user(), make_user()
    slot = make_slot(app, capacity=1)
    stale = hold(app, first.id, slot)
    with pytest.raises(DomainError) as error:
        hold(app, second.id, slot)
    assert error.value.code == "slot-full"
    fresh = hold(app, second.id, slot, LATER)
    assert booking_state(app, stale)["status"] == "expired"
    assert booking_state(app, fresh)["status"] == "held"
    assert slot_booked(app, slot) == 1
    assert ("hold-expired", stale, first.id) in outbox(app)


def test_release_expired_holds_in_one_sweep(app, centre, make_user):
    users = [make_user() for _ in range(3)]
    slots = [make_slot(app, capacity=5), make_slot(app, capacity=5, starts=local(2026, 12, 3, 10))]
    bookings = [hold(app, users[0].id, slots[0]), hold(app, users[1].id, slots[0]), hold(app, users[2].id, slots[1])]
    live = hold(app, make_user().id, slots[1], NOW + timedelta(minutes=10))
    statements = []

    def count_updates(conn, cursor, statement, *args):
        # PostgreSQL: the UPDATE is the first part of one WITH statement; SQLite: a statement of its own.
        if "UPDATE BOOKING " in " ".join(statement.upper().split()):
            statements.append(statement)

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", count_updates)
        released = expiry.release_expired_holds(db.session, LATER, POLICY)
        db.session.commit()
        sa.event.remove(db.engine, "before_cursor_execute", count_updates)
    assert released == 3
    assert len(statements) == 1
    assert [booking_state(app, b)["status"] for b in bookings] == ["expired"] * 3
    assert booking_state(app, live)["status"] == "held"
    assert (slot_booked(app, slots[0]), slot_booked(app, slots[1])) == (0, 1)
    assert sorted(b for kind, b, _ in outbox(app) if kind == "hold-expired") == sorted(bookings)
    # Running it again changes nothing and queues nothing twice.
    with app.app_context():
        assert expiry.release_expired_holds(db.session, LATER, POLICY) == 0
    assert len(outbox(app)) == 3


def test_one_live_hold_and_one_active_booking_per_exam(app, centre, make_user):
    user = make_user()
    theory = make_slot(app)
    other_theory = make_slot(app, starts=local(2026, 12, 4))
    practical = make_slot(app, exam="practical", capacity=4)
    hold(app, user.id, theory)
    for slot, reason in [(other_theory, "live-hold"), (practical, "live-hold")]:
        with pytest.raises(places.NotEligible) as error:
            hold(app, user.id, slot)
        assert error.value.refusal.reason == reason


def test_database_refuses_a_second_active_booking_of_an_exam(app, centre, make_user):
    user = make_user()
    first, second = make_slot(app), make_slot(app, starts=local(2026, 12, 4))
    book(app, user.id, first)
    with app.app_context():
        slot = db.session.get(Slot, second)
        db.session.add(Booking(user_id=user.id, slot=slot, exam_type="theory", category="B", status="confirmed"))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()


def test_database_refuses_overselling(app, centre):
    slot = make_slot(app, capacity=1)
    with app.app_context(), pytest.raises(sa.exc.IntegrityError):
        # The CHECK refuses the statement itself (PostgreSQL, SQLite alike), before any commit.
        db.session.execute(sa.update(Slot).where(Slot.id == slot).values(booked=2))


def test_cancellation_frees_the_place(app, centre, make_user):
    first, second = make_user(), make_user()
    slot = make_slot(app, capacity=1)
    booking = book(app, first.id, slot)
    with pytest.raises(DomainError):
        hold(app, second.id, slot)
    cancel(app, booking)
    state = booking_state(app, booking)
    assert state["status"] == "cancelled"
    assert state["ics_sequence"] == 1
    assert slot_booked(app, slot) == 0
    assert hold(app, second.id, slot)
    assert ("cancellation", booking, first.id) in outbox(app)
    with pytest.raises(DomainError) as error:
        cancel(app, booking)
    assert error.value.code == "booking-not-active"


def test_no_cancellation_after_the_cutoff_but_a_hold_can_always_go(app, centre, make_user):
    first, second = make_user(), make_user()
    slot = make_slot(app, starts=local(2026, 12, 3))
    booking = book(app, first.id, slot)
    held = hold(app, second.id, slot)
    late = local(2026, 12, 2, 10)  # 23 hours before the exam
    with pytest.raises(places.NotEligible) as error:
        cancel(app, booking, late)
    assert error.value.refusal.reason == "after-cutoff"
    cancel(app, held, NOW + timedelta(minutes=1))
    assert booking_state(app, held)["status"] == "cancelled"


def test_reschedule_is_atomic(app, centre, make_user):
    user, other = make_user(), make_user()
    old = make_slot(app)
    full = make_slot(app, starts=local(2026, 12, 4), capacity=1)
    free = make_slot(app, starts=local(2026, 12, 7))
    book(app, other.id, full)
    booking = book(app, user.id, old)
    with pytest.raises(DomainError) as error:
        reschedule(app, booking, full)
    assert error.value.code == "slot-full"
    assert booking_state(app, booking)["slot_id"] == old
    assert (slot_booked(app, old), slot_booked(app, full)) == (1, 1)

    reschedule(app, booking, free)
    state = booking_state(app, booking)
    assert state["slot_id"] == free
    assert state["status"] == "confirmed"
    assert state["ticket"] == "ALM-T-20261207-0001"
    assert state["ics_sequence"] == 1
    assert state["events"] == ["held", "confirmed", "rescheduled"]
    assert (slot_booked(app, old), slot_booked(app, free)) == (0, 1)
    assert ("rescheduled-1", booking, user.id) in outbox(app)


def test_reschedules_are_limited(app, centre, make_user):
    user = make_user()
    slots = [make_slot(app, starts=local(2026, 12, day)) for day in (3, 4, 7, 8)]
    booking = book(app, user.id, slots[0])
    reschedule(app, booking, slots[1])
    reschedule(app, booking, slots[2])
    with pytest.raises(places.NotEligible) as error:
        reschedule(app, booking, slots[3])
    assert error.value.refusal.reason == "reschedule-limit"
    assert booking_state(app, booking)["slot_id"] == slots[2]


def test_reschedule_keeps_exam_and_category(app, centre, make_user):
    user = make_user()
    booking = book(app, user.id, make_slot(app))
    other_category = make_slot(app, category="C", starts=local(2026, 12, 4))
    with pytest.raises(places.NotEligible) as error:
        reschedule(app, booking, other_category)
    assert error.value.refusal.reason == "category-mismatch"


def test_cooldown_after_cancellation(app, centre, make_user):
    user = make_user()
    slots = [make_slot(app, starts=local(2026, 12, day)) for day in (3, 4, 21)]
    cancel(app, book(app, user.id, slots[0]))
    second = book(app, user.id, slots[1], NOW + timedelta(minutes=1))
    cancel(app, second, NOW + timedelta(minutes=2))
    with pytest.raises(places.NotEligible) as error:
        hold(app, user.id, slots[2], NOW + timedelta(minutes=3))
    assert error.value.refusal.reason == "cooldown"
    assert hold(app, user.id, slots[2], NOW + timedelta(days=10, minutes=3))


def test_retake_rules_follow_recorded_results(app, centre, make_user):
    user = make_user()
    first_try = make_slot(app, starts=local(2026, 12, 3))
    practical = make_slot(app, exam="practical", starts=local(2026, 12, 8), capacity=4)
    retake = make_slot(app, starts=local(2026, 12, 4))
    record_result(app, book(app, user.id, first_try), passed=False, now=local(2026, 12, 3, 12))
    later = local(2026, 12, 3, 13)
    with pytest.raises(places.NotEligible) as error:
        hold(app, user.id, practical, later)
    assert error.value.refusal.reason == "theory-required"
    assert error.value.code == "not-eligible"
    assert error.value.status == 422
    # One failure: the next working day is fine (if the cut-off allows).
    assert hold(app, user.id, retake, local(2026, 12, 3, 8))


def test_record_result_needs_a_confirmed_exam(app, centre, make_user):
    booking = hold(app, make_user().id, make_slot(app))
    with pytest.raises(DomainError) as error:
        record_result(app, booking, passed=True)
    assert error.value.code == "no-exam-to-record"


def test_waitlist_gets_the_freed_place(app, centre, make_user):
    holder, first, second = make_user(), make_user(), make_user()
    slot = make_slot(app, capacity=1)
    held = hold(app, holder.id, slot)

    def join(user, whole_day, now=NOW):
        return run(
            app,
            lambda s: waitlist.join_waitlist(s, s.get(User, user.id), slot, now, POLICY, whole_day=whole_day),
        )

    join(first, whole_day=True, now=NOW + timedelta(minutes=1))
    join(second, whole_day=False, now=NOW + timedelta(minutes=2))
    with pytest.raises(DomainError) as error:
        join(first, whole_day=False)
    assert error.value.code == "already-waiting"
    with app.app_context():
        expiry.release_expired_holds(db.session, LATER, POLICY)
        db.session.commit()
        offered = db.session.scalar(sa.select(Booking).where(Booking.user_id == first.id))
        assert offered.status == "held"
        assert offered.slot_id == slot
        assert offered.hold_expires_at == LATER + POLICY.waitlist_hold_ttl
        entries = {e.user_id: e.status for e in db.session.scalars(sa.select(WaitlistEntry))}
        assert entries == {first.id: "offered", second.id: "waiting"}
        offered_id = offered.id
    assert ("waitlist-offer", offered_id, first.id) in outbox(app)
    assert booking_state(app, held)["status"] == "expired"
    assert slot_booked(app, slot) == 1


def test_one_sweep_offers_each_slot_as_many_places_as_it_freed(app, centre, make_user):
    """Two holds of one slot expire at once: both places go to its waitlist; a slot nobody waits for
    just gets its place back."""
    holders, waiting = [make_user(), make_user(), make_user()], [make_user(), make_user(), make_user()]
    full = make_slot(app, capacity=2)
    other = make_slot(app, capacity=1, starts=local(2026, 12, 3, 11))
    held = [hold(app, holders[0].id, full), hold(app, holders[1].id, full), hold(app, holders[2].id, other)]
    for minute, user in enumerate(waiting, start=1):
        run(
            app,
            lambda s, user=user, minute=minute: waitlist.join_waitlist(
                s, s.get(User, user.id), full, NOW + timedelta(minutes=minute), POLICY, whole_day=False
            ),
        )
    with app.app_context():
        assert expiry.release_expired_holds(db.session, LATER, POLICY) == 3
        db.session.commit()
        offered = db.session.scalars(sa.select(Booking.user_id).where(Booking.status == "held")).all()
        assert sorted(offered) == sorted([waiting[0].id, waiting[1].id])
        entries = {e.user_id: e.status for e in db.session.scalars(sa.select(WaitlistEntry))}
        assert entries == {waiting[0].id: "offered", waiting[1].id: "offered", waiting[2].id: "waiting"}
    assert [booking_state(app, booking)["status"] for booking in held] == ["expired"] * 3
    assert (slot_booked(app, full), slot_booked(app, other)) == (2, 0)
    messages = outbox(app)
    assert sorted(b for kind, b, _ in messages if kind == "hold-expired") == sorted(held)
    assert sorted(u for kind, _, u in messages if kind == "waitlist-offer") == sorted(offered)


def test_the_sweep_refreshes_what_the_session_already_holds(app, centre, make_user):
    """Bookings and slots loaded before the sweep read its changes afterwards, in the same
    transaction; the objects it did not change stay loaded."""
    expired_slot, live_slot = make_slot(app), make_slot(app, starts=local(2026, 12, 3, 11))
    expired = hold(app, make_user().id, expired_slot)
    live = hold(app, make_user().id, live_slot, NOW + timedelta(minutes=10))
    with app.app_context():
        session = db.session
        stale, fresh = session.get(Booking, expired), session.get(Booking, live)
        freed, kept = stale.slot, fresh.slot
        assert (stale.status, freed.booked, fresh.status, kept.booked) == ("held", 1, "held", 1)
        assert expiry.release_expired_holds(session, LATER, POLICY) == 1
        assert "status" in sa.inspect(stale).expired_attributes
        assert "booked" in sa.inspect(freed).expired_attributes
        assert not sa.inspect(fresh).expired_attributes
        assert not sa.inspect(kept).expired_attributes
        assert (stale.status, freed.booked, fresh.status, kept.booked) == ("expired", 0, "held", 1)
        session.rollback()


def test_joining_a_waitlist_needs_a_full_slot(app, centre, make_user):
    user = make_user()
    slot = make_slot(app, capacity=1)
    with pytest.raises(DomainError) as error:
        run(app, lambda s: waitlist.join_waitlist(s, s.get(User, user.id), slot, NOW, POLICY, whole_day=False))
    assert error.value.code == "slot-has-places"


def test_outbox_keeps_one_message_per_booking_and_kind(app, centre, make_user):
    user = make_user()
    booking = hold(app, user.id, make_slot(app))
    with app.app_context():
        record = db.session.get(Booking, booking)
        for _ in range(2):
            queue_message(db.session, kind="reminder-24h", user=record.user, booking=record, payload={})
        queue_message(db.session, kind="news", user=record.user, payload={})
        queue_message(db.session, kind="news", user=record.user, payload={})
        db.session.commit()
    assert [kind for kind, *_ in outbox(app)] == ["reminder-24h", "news", "news"]


def test_earliest_free_place_across_a_city(app, make_user):
    from tests.conftest import make_centre

    make_centre(app, "ALM")
    make_centre(app, "AL2")
    full = make_slot(app, capacity=1, centre_code="ALM", starts=local(2026, 12, 3))
    make_slot(app, centre_code="ALM", starts=local(2026, 12, 7))
    make_slot(app, centre_code="AL2", starts=local(2026, 12, 4))
    make_slot(app, centre_code="AL2", starts=local(2026, 12, 1, 15))  # within the cut-off
    book(app, make_user().id, full)
    with app.app_context():
        found = availability.earliest_free(
            db.session, NOW, POLICY.booking_open(NOW), city="Almaty", exam_type="theory", category="B"
        )
        assert [(item.slot.centre.code, item.slot.local_date.day) for item in found] == [("AL2", 4), ("ALM", 7)]
