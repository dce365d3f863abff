"""A hypothesis state machine over bookings on PostgreSQL: people hold, confirm, cancel and move
places, holds expire as the clock runs, staff block slots — in any order hypothesis can think of,
and two clients at once changing one booking (both read it before either writes).

After every step: no slot has more places taken than its capacity (and its counter agrees with its
bookings), nobody has two active bookings of one exam type, tickets are unique, and every state
change in a booking's history has its outbox message.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from app.auth.models import User
from app.booking import expiry, holds
from app.booking.models import Booking, Slot
from app.centres.models import Centre
from app.core.acting import Acting
from app.core.errors import DomainError
from app.extensions import db
from app.staff import slots
from tests.conftest import BACKENDS, make_centre
from tests.support.booking_support import NOW, POLICY, assert_booking_invariants, expected_messages, freeze, local
from tests.support.races_support import Request, interleave

PEOPLE, SLOTS, CAPACITY = 4, 3, 2
SLOT_DAYS = (4, 5, 6)  # 9:00 in Almaty, 3 to 5 days after NOW: outside the change cut-off


# What two clients may do to one booking at the same moment.
CHANGES = {
    "cancel": lambda session, booking, now: holds.cancel(session, booking, now, POLICY),
    "confirm": lambda session, booking, now: holds.confirm(
        session, booking, now, consent_personal_data=True, fee_receipt="KZ-0001"
    ),
    "move-to-1": lambda session, booking, now: holds.reschedule(session, booking, 1, now, POLICY),
    "move-to-2": lambda session, booking, now: holds.reschedule(session, booking, 2, now, POLICY),
    "block-its-slot": lambda session, booking, now: slots.block_slot(
        Acting(session, None, now, POLICY), booking.slot, "Examiner ill", audited=False
    ),
}


@pytest.mark.parametrize(
    ("events", "kinds"),
    [
        (["held"], []),
        (["held", "expired"], ["hold-expired"]),
        (["held", "cancelled"], []),
        (
            ["held", "rescheduled", "confirmed", "rescheduled", "cancelled"],
            ["confirmation", "rescheduled-2", "cancellation"],
        ),
        (["held", "confirmed", "blocked"], ["confirmation", "slot-blocked"]),
    ],
)
def test_expected_messages(events, kinds):
    assert expected_messages(events) == kinds


class Bookings(RuleBasedStateMachine):
    """Random sequences of applicants' and staff's requests, some of them sent at once; `app` is set by the test."""

    app = None

    def __init__(self):
        super().__init__()
        self.now = NOW
        freeze(NOW)
        with self.app.app_context():
            tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
            db.session.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            db.session.commit()
        make_centre(self.app)
        with self.app.app_context():
            centre = db.session.scalar(sa.select(Centre))
            for number in range(PEOPLE):
                db.session.add(
                    User(
                        email=f"p{number}@example.kz",
                        password_hash="-",
                        full_name=f"Person {number}",
                        iin=f"95010130{number:04d}",
                    )
                )
            for day in SLOT_DAYS:
                starts = local(2026, 12, day)
                db.session.add(
                    Slot(
                        centre=centre,
                        exam_type="theory",
                        category="B",
                        starts_at=starts,
                        ends_at=starts + timedelta(hours=1),
                        capacity=CAPACITY,
                    )
                )
            db.session.commit()

    def step(self, operation) -> None:
        """One request: the service in a transaction that commits, or rolls back when refused."""
        with self.app.app_context():
            try:
                operation(db.session)
                db.session.commit()
            except DomainError:
                db.session.rollback()

    def latest_booking(self, session, person: int) -> Booking | None:
        return session.scalar(
            sa.select(Booking).where(Booking.user_id == person + 1).order_by(Booking.id.desc()).limit(1)
        )

    @rule(person=st.integers(0, PEOPLE - 1), slot=st.integers(1, SLOTS))
    def hold(self, person, slot):
        self.step(lambda s: holds.hold_place(s, s.get(User, person + 1), slot, self.now, POLICY))

    @rule(person=st.integers(0, PEOPLE - 1))
    def confirm(self, person):
        def operation(session):
            if booking := self.latest_booking(session, person):
                holds.confirm(session, booking, self.now, consent_personal_data=True, fee_receipt="KZ-0001")

        self.step(operation)

    @rule(person=st.integers(0, PEOPLE - 1))
    def cancel(self, person):
        def operation(session):
            if booking := self.latest_booking(session, person):
                holds.cancel(session, booking, self.now, POLICY)

        self.step(operation)

    @rule(person=st.integers(0, PEOPLE - 1), slot=st.integers(1, SLOTS))
    def reschedule(self, person, slot):
        def operation(session):
            if booking := self.latest_booking(session, person):
                holds.reschedule(session, booking, slot, self.now, POLICY)

        self.step(operation)

    @rule(minutes=st.sampled_from([1, 10, 16]))
    def time_passes_and_holds_expire(self, minutes):
        self.now += timedelta(minutes=minutes)
        freeze(self.now)
        self.step(lambda s: expiry.release_expired_holds(s, self.now, POLICY))

    @rule(slot=st.integers(1, SLOTS))
    def block(self, slot):
        self.step(
            lambda s: slots.block_slot(
                Acting(s, None, self.now, POLICY), s.get(Slot, slot), "Examiner ill", audited=False
            )
        )

    @rule(
        person=st.integers(0, PEOPLE - 1),
        first=st.sampled_from(sorted(CHANGES)),
        second=st.sampled_from(sorted(CHANGES)),
    )
    def two_requests_at_once(self, person, first, second):
        """Two clients change the person's latest booking at the same moment (both read it
        before either writes): the same change twice, or two that conflict."""

        def change(name):
            def write(session, booking):
                if booking is not None:
                    CHANGES[name](session, booking, self.now)

            return Request(lambda session: self.latest_booking(session, person), write)

        outcomes = interleave(self.app, change(first), change(second))
        if first == second:
            assert outcomes.count("ok") <= 1 or self.latest_is_missing(person), outcomes

    def latest_is_missing(self, person) -> bool:
        with self.app.app_context():
            return self.latest_booking(db.session, person) is None

    @invariant()
    def bookings_are_consistent(self):
        with self.app.app_context():
            assert_booking_invariants(db.session)


@pytest.mark.postgres_only
@pytest.mark.parametrize("db_url", [b for b in BACKENDS if b == "postgresql"], indirect=True)
def test_bookings_keep_their_invariants_whatever_happens(app):
    Bookings.app = app
    run_state_machine_as_test(
        Bookings,
        settings=settings(
            max_examples=15,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
