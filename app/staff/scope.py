"""What staff may see and change: their own centre, admins every centre. The `*_for` look-ups
answer None for anything out of scope, and callers answer 404."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

from app.auth.models import Role, User
from app.booking.models import Booking, Slot
from app.centres.models import Centre
from app.centres.services import find_centre
from app.staff.models import CentreClosure, SlotTemplate


def may_manage(user: User, centre_id: int) -> bool:
    return user.role == Role.ADMIN or (user.role == Role.STAFF and user.centre_id == centre_id)


def centre_for(session: Session, user: User, code: str) -> Centre | None:
    centre = find_centre(session, code)
    return centre if centre is not None and may_manage(user, centre.id) else None


# What a centre owns directly (a `centre_id` of its own).
CentreOwned = TypeVar("CentreOwned", Slot, SlotTemplate, CentreClosure)


def _in_scope(session: Session, user: User, model: type[CentreOwned], key: int) -> CentreOwned | None:
    """The `model` row with id `key` when it belongs to a centre `user` manages."""
    found = session.get(model, key)
    return found if found is not None and may_manage(user, found.centre_id) else None


def slot_for(session: Session, user: User, slot_id: int) -> Slot | None:
    return _in_scope(session, user, Slot, slot_id)


def booking_for(session: Session, user: User, booking_id: int) -> Booking | None:
    booking = session.get(Booking, booking_id)
    return booking if booking is not None and may_manage(user, booking.slot.centre_id) else None


def template_for(session: Session, user: User, template_id: int) -> SlotTemplate | None:
    return _in_scope(session, user, SlotTemplate, template_id)


def closure_for(session: Session, user: User, closure_id: int) -> CentreClosure | None:
    return _in_scope(session, user, CentreClosure, closure_id)
