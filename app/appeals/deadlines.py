"""Statutory deadlines of appeals and complaints, under the Administrative Procedural Code of the
Republic of Kazakhstan: pure date arithmetic over Kazakhstan's working days (weekends and public
holidays, `app.core.working_days`). No database, no request; table-tested.

A term counted in working days starts on the day after the event (receipt, decision …), so the
event's own day never counts. A term counted in months ends on the same day of the last month (or
its last day when shorter); when that day is not a working day, the term ends on the next working
day.

The terms:
- an appeal goes to the competent centre within 3 working days of receipt (the centre that
  received it registers it, or refers it on);
- it is decided within 15 working days of receipt;
- a reasoned decision may extend that, once, up to 2 months from receipt in total; the applicant
  is told within 3 working days of the extension;
- a complaint against the decision may be filed within 3 months of learning of it (a later one is
  still accepted, with the reason recorded) and is decided within 5 working days of its filing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from app.core.working_days import add_months, add_working_days, is_working_day, next_working_day, working_days_between

REFER_WORKING_DAYS = 3
DECIDE_WORKING_DAYS = 15
EXTENSION_LIMIT_MONTHS = 2
EXTENSION_NOTICE_WORKING_DAYS = 3
COMPLAINT_MONTHS = 3
COMPLAINT_DECIDE_WORKING_DAYS = 5
# A case this many working days or fewer from its deadline is "nearly due".
NEARLY_DUE_WORKING_DAYS = 1


def _months_later(day: date, months: int) -> date:
    end = add_months(day, months)
    return end if is_working_day(end) else next_working_day(end)


def refer_by(received_on: date) -> date:
    return add_working_days(received_on, REFER_WORKING_DAYS)


def decide_by(received_on: date) -> date:
    return add_working_days(received_on, DECIDE_WORKING_DAYS)


def latest_extension(received_on: date) -> date:
    """The latest date an extension may set for the decision."""
    return _months_later(received_on, EXTENSION_LIMIT_MONTHS)


def extension_notice_by(extended_on: date) -> date:
    return add_working_days(extended_on, EXTENSION_NOTICE_WORKING_DAYS)


def complaint_by(learned_on: date) -> date:
    """The last day to complain on time about a decision learned of on `learned_on`."""
    return _months_later(learned_on, COMPLAINT_MONTHS)


def complaint_decide_by(filed_on: date) -> date:
    return add_working_days(filed_on, COMPLAINT_DECIDE_WORKING_DAYS)


class Urgency(enum.StrEnum):
    OVERDUE = "overdue"
    NEARLY_DUE = "nearly-due"
    ON_TIME = "on-time"


def urgency(due: date, today: date) -> Urgency:
    if today > due:
        return Urgency.OVERDUE
    if working_days_between(today, due) <= NEARLY_DUE_WORKING_DAYS:
        return Urgency.NEARLY_DUE
    return Urgency.ON_TIME


class Step(enum.StrEnum):
    """What the centre has to do next, by its deadline."""

    REGISTER_OR_REFER = "register-or-refer"
    DECIDE = "decide"
    DECIDE_COMPLAINT = "decide-complaint"


@dataclass(frozen=True)
class CaseFacts:
    status: str  # received, registered, decided, withdrawn
    refer_due: date
    decision_due: date  # the current one (extended or not)
    referred: bool = False
    complaint_due: date | None = None  # set while a complaint waits for its decision


@dataclass(frozen=True)
class Pending:
    step: Step
    due: date


def pending(case: CaseFacts) -> Pending | None:
    """The next step a centre owes on the case and its deadline; None when nothing is owed.

    A referred appeal is at the competent centre, so the referral term is spent: what remains is
    the decision (its term still runs from the first receipt)."""
    if case.status == "received":
        if case.referred:
            return Pending(Step.DECIDE, case.decision_due)
        return Pending(Step.REGISTER_OR_REFER, case.refer_due)
    if case.status == "registered":
        return Pending(Step.DECIDE, case.decision_due)
    if case.status == "decided" and case.complaint_due is not None:
        return Pending(Step.DECIDE_COMPLAINT, case.complaint_due)
    return None
