"""Demo bookings for the staff's exam day: today and tomorrow at the demo staff member's centre,
some confirmed, some checked in, one no-show and one with a result, so that the exam-day page, the
check-in desk and the results can be tried at once. Made through the real services (hold, confirm,
check-in, result, no-shows) at the moments they would have happened; once per day (the demo
examinees of a day carry it in their e-mail), so seeding again changes nothing."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.iin import make_iin
from app.auth.models import User
from app.booking import holds
from app.booking.eligibility import Policy
from app.booking.labels import DOCUMENTS
from app.booking.models import Booking, Slot
from app.centres.models import Centre
from app.core.acting import Acting
from app.demo.data import SLOT_EXAMS
from app.staff import exam_day

DOCUMENTS_SHOWN = dict.fromkeys(DOCUMENTS, True)
EXAMINEES = 8
NO_PASSWORD = "!"  # noqa: S105 — not a hash any password matches: the examinees never sign in
FIRST_HOUR, LATER_HOUR = time(9), time(14)


def _examinees(session: Session, day: date) -> list[User]:
    """The day's demo applicants (they never sign in: no password can match their hash)."""
    people = []
    for number in range(1, EXAMINEES + 1):
        email = f"examinee{number}.{day:%Y%m%d}@demo.kezek.kz"
        person = session.scalar(select(User).where(User.email == email))
        if person is None:
            person = User(
                email=email,
                password_hash=NO_PASSWORD,
                full_name=f"Demo Examinee {number}",
                iin=make_iin(date(2000, 1, 1) + timedelta(days=day.toordinal() % 3000), "male", 500 + number),
                language="ru",
            )
            session.add(person)
        people.append(person)
    session.flush()
    return people


def _slot(session: Session, centre: Centre, day: date, at: time) -> Slot:
    """The theory exam, category B, at `at` on `day` (made when the templates give none that day)."""
    starts = datetime.combine(day, at, centre.zone)
    slot = session.scalar(
        select(Slot).where(
            Slot.centre_id == centre.id, Slot.exam_type == "theory", Slot.category == "B", Slot.starts_at == starts
        )
    )
    if slot is None:
        places, minutes = SLOT_EXAMS["theory"]  # as the demo templates would have made it
        slot = Slot(
            centre=centre,
            exam_type="theory",
            category="B",
            starts_at=starts,
            ends_at=starts + timedelta(minutes=minutes),
            capacity=places,
        )
        session.add(slot)
        session.flush()
    return slot


def seed_exam_day(session: Session, staff: User, now: datetime) -> int:
    """The bookings of today and tomorrow at `staff`'s centre; returns how many were made (0: done)."""
    centre = staff.centre
    today = centre.local(now).date()
    people = _examinees(session, today)
    if session.scalar(select(Booking.id).where(Booking.user_id == people[0].id).limit(1)) is not None:
        return 0  # today's are made
    policy = Policy()
    booked_at = now - timedelta(days=3)
    first, later = _slot(session, centre, today, FIRST_HOUR), _slot(session, centre, today, LATER_HOUR)
    tomorrow = _slot(session, centre, today + timedelta(days=1), FIRST_HOUR)
    plan = [(first, people[0:3]), (later, people[3:6]), (tomorrow, people[6:8])]
    bookings = {}
    for slot, group in plan:
        for person in group:
            held = holds.hold_place(session, person, slot.id, booked_at, policy)
            bookings[person.id] = holds.confirm(
                session, held, booked_at, consent_personal_data=True, fee_receipt=f"KZ-DEMO-{person.id:06d}"
            )

    def acting(at: datetime) -> Acting:
        return Acting(session, staff, at, policy)

    # The first exam of the day: one passed, one checked in waiting for the result, one absent.
    exam_day.check_in(acting(first.starts_at - timedelta(minutes=20)), bookings[people[0].id], DOCUMENTS_SHOWN)
    exam_day.check_in(acting(first.starts_at - timedelta(minutes=10)), bookings[people[1].id], DOCUMENTS_SHOWN)
    exam_day.record_result(acting(first.ends_at - timedelta(minutes=5)), bookings[people[0].id], True, 36)
    exam_day.mark_slot_no_shows(acting(first.ends_at + timedelta(minutes=1)), first)
    # The afternoon exam: one already checked in, the others still expected.
    exam_day.check_in(acting(later.starts_at - timedelta(minutes=30)), bookings[people[3].id], DOCUMENTS_SHOWN)
    return len(bookings)
