"""Requests in a round: filing, changing and withdrawing them while requests are open.

One request per person and round (a round is for one exam type and category), from verified
people only, with up to five choices in order of preference: a slot of the round, or a day and
part of day (morning, afternoon, evening at the centre) with at least one of the round's slots. The booking rules
(app/booking/eligibility.py) are checked for every choice when it is filed and again at the draw.
When it is filed does not matter: the lottery ignores the time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from app.auth.models import Role, User
from app.auth.phone import phone_confirmed
from app.booking.eligibility import Policy, refusal_to_book
from app.booking.models import Slot
from app.booking.places import NotEligible, booking_history, slot_facts
from app.core.database import insert_for
from app.core.errors import DomainError, FieldErrors
from app.core.locking import lock
from app.rounds import lottery
from app.rounds.announcing import round_closed, round_not_found
from app.rounds.models import MAX_CHOICES, Phase, ReleaseRound, RoundRequest, RoundStatus

# At filing, a short hold of another exam is no reason to refuse: it ends long before the draw,
# which checks every rule again.
PASSING_REASONS = {"live-hold"}


def person_refusal(user: User) -> DomainError | None:
    """One person, one share: only applicants with an account bearing an IIN (unique per person)
    and a phone confirmed by a one-time SMS code file requests. The one place these checks live."""
    if user.role != Role.USER or not user.iin:
        return DomainError(
            _l("Only applicants with a verified account can file requests."), code="not-verified", status=403
        )
    if not phone_confirmed(user):
        return DomainError(
            _l("Confirm your phone number with the code we send by SMS before your first request."),
            code="phone-not-confirmed",
            status=403,
        )
    return None


def token_secret() -> bytes:
    """The key of the request tokens; without it nobody can link a published token to a request."""
    return (current_app.config.get("ROUND_TOKEN_SECRET") or current_app.config["SECRET_KEY"]).encode()


def _lock_open_round(session: Session, round_id: int, now: datetime) -> ReleaseRound:
    """The round, read under a shared lock on its row: requests are filed side by side, but the
    draw (which takes the row FOR UPDATE) waits for them, and a request waiting for a draw then
    sees it drawn. Refused unless requests are open now."""
    release = session.scalar(
        select(ReleaseRound)
        .where(ReleaseRound.id == round_id)
        .with_for_update(read=True, of=ReleaseRound)
        .execution_options(populate_existing=True)
    )
    if release is None:
        raise round_not_found()
    if release.status != RoundStatus.ANNOUNCED or not release.opens_at <= now < release.draw_at:
        raise round_closed()
    return release


def _checked_choices(
    session: Session, user: User, release: ReleaseRound, choices: list[lottery.Choice], now: datetime, policy: Policy
) -> list[int | dict[str, str]]:
    """The choices as stored: each a slot of the round, or a day and part of day with at least one
    of the round's slots, and allowed by the booking rules (for a day part: at least one of its slots)."""
    if not choices:
        raise FieldErrors({"choices": [_l("Choose at least one exam time.")]})
    if len(choices) > MAX_CHOICES:
        raise FieldErrors({"choices": [_l("Choose at most %(count)s exam times.", count=MAX_CHOICES)]})
    if len(set(choices)) != len(choices):
        raise FieldErrors({"choices": [_l("Choose each exam time only once.")]})
    slots = {slot.id: slot for slot in session.scalars(select(Slot).where(Slot.round_id == release.id))}
    groups = round_day_parts(release, slots.values())
    candidates = [groups.get(choice, ()) if isinstance(choice, lottery.DayPart) else (choice,) for choice in choices]
    if any(not found or any(slot_id not in slots for slot_id in found) for found in candidates):
        raise FieldErrors({"choices": [_l("Choose exam times of this round only.")]})
    history = booking_history(session, user.id)
    for found in candidates:
        refusals = [refusal_to_book(slot_facts(slots[slot_id]), history, now, policy) for slot_id in found]
        blocking = [refusal for refusal in refusals if refusal is not None and refusal.reason not in PASSING_REASONS]
        if len(blocking) == len(refusals):
            raise NotEligible(blocking[0])
    return [lottery.stored_choice(choice) for choice in choices]


def round_day_parts(release: ReleaseRound, slots: Iterable[Slot]) -> dict[lottery.DayPart, tuple[int, ...]]:
    """The days and parts of day the round's slots fall on (the centre's zone), with their slots."""
    return lottery.day_parts({slot.id: release.centre.local(slot.starts_at) for slot in slots})


def _request_exists() -> DomainError:
    return DomainError(
        _l("You already have a request in this round. Change it instead."), code="request-exists", status=409
    )


def file_request(
    session: Session, user: User, round_id: int, choices: list[lottery.Choice], now: datetime, policy: Policy
) -> RoundRequest:
    """The person's request in the round; refused when they have one (`request-exists`), also when
    two of their submits race: the unique key decides, in the same statement as the insert."""
    if refusal := person_refusal(user):
        raise refusal
    release = _lock_open_round(session, round_id, now)
    checked = _checked_choices(session, user, release, choices, now, policy)
    values = {
        "round_id": release.id,
        "user_id": user.id,
        "choices": checked,
        # Per person and round, so withdrawing and filing again draws the same ticket.
        "token": lottery.token(token_secret(), release.id, user.id),
        "created_at": now,
        "updated_at": now,
    }
    table = RoundRequest.__table__
    row = session.execute(insert_for(session, table).on_conflict_do_nothing().returning(*table.c), values).first()
    if row is None:
        raise _request_exists()
    # The row as the session's object without reading it again (an ORM INSERT … RETURNING would
    # be compiled anew on every request).
    request = RoundRequest(**row._mapping)
    make_transient_to_detached(request)
    session.add(request)
    set_committed_value(request, "round", release)
    return request


def own_request(session: Session, user: User, request_id: int) -> RoundRequest:
    request = session.get(RoundRequest, request_id)
    if request is None or request.user_id != user.id:
        raise DomainError(_l("There is no such request of yours."), code="request-not-found", status=404)
    return request


def change_request(
    session: Session,
    user: User,
    request: RoundRequest,
    choices: list[lottery.Choice],
    now: datetime,
    policy: Policy,
) -> RoundRequest:
    lock(session, request, "choices")
    _lock_open_round(session, request.round_id, now)
    request.choices = _checked_choices(session, user, request.round, choices, now, policy)
    request.updated_at = now
    return request


def move_choice(session: Session, request: RoundRequest, index: int, step: int, now: datetime, policy: Policy):
    """Move one choice up (step -1) or down (+1): the order without JavaScript."""
    choices = [lottery.parse_choice(choice) for choice in request.choices]
    target = index + step
    if not (0 <= index < len(choices) and 0 <= target < len(choices)):
        return request
    choices[index], choices[target] = choices[target], choices[index]
    return change_request(session, request.user, request, choices, now, policy)


def withdraw_request(session: Session, request: RoundRequest, now: datetime) -> None:
    """Until the draw a request can be taken back; it leaves no trace in the results."""
    lock(session, request, "choices")
    _lock_open_round(session, request.round_id, now)
    session.delete(request)


def user_requests(session: Session, user: User) -> list[RoundRequest]:
    return list(
        session.scalars(
            select(RoundRequest)
            .join(RoundRequest.round)
            .where(RoundRequest.user_id == user.id)
            .order_by(ReleaseRound.draw_at.desc(), RoundRequest.id.desc())
        )
    )


def is_open(release: ReleaseRound, now: datetime) -> bool:
    return release.phase(now) == Phase.OPEN
