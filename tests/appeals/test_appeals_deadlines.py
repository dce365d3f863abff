"""Statutory deadlines of appeals: working days across Kazakhstan's holidays, weekends and year
ends; month terms that end on a day off move to the next working day."""

from datetime import date

import pytest

from app.appeals import deadlines
from app.appeals.deadlines import CaseFacts, Pending, Step, Urgency


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (date(2026, 12, 1), date(2026, 12, 4)),  # Tuesday: Wed, Thu, Fri
        (date(2026, 12, 5), date(2026, 12, 9)),  # filed on a Saturday: counting starts on Monday
        (date(2026, 12, 14), date(2026, 12, 18)),  # over Independence Day (16 December)
        (date(2026, 12, 30), date(2027, 1, 6)),  # over New Year (1 January and 4 January, moved from Saturday 2)
        (date(2027, 1, 5), date(2027, 1, 11)),  # over Orthodox Christmas (7 January)
        (date(2027, 3, 5), date(2027, 3, 11)),  # over 8 March
        (date(2027, 3, 19), date(2027, 3, 29)),  # over Nauryz (22-24 March)
        (date(2026, 4, 30), date(2026, 5, 6)),  # over 1 May
        (date(2026, 5, 6), date(2026, 5, 13)),  # over 7 May and 9 May (observed on Monday 11)
        (date(2026, 5, 25), date(2026, 5, 29)),  # over Kurban ait (27 May 2026, a moving feast)
        (date(2026, 7, 3), date(2026, 7, 9)),  # over Capital Day (6 July)
        (date(2026, 10, 23), date(2026, 10, 29)),  # over Republic Day (25 October, observed Monday 26)
    ],
)
def test_refer_within_3_working_days(received, expected):
    assert deadlines.refer_by(received) == expected


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (date(2026, 12, 1), date(2026, 12, 23)),
        (date(2026, 12, 10), date(2027, 1, 5)),  # across the year end
        (date(2027, 3, 10), date(2027, 4, 6)),  # across Constitution Day (15 March since 2026) and Nauryz
        (date(2026, 5, 20), date(2026, 6, 11)),  # across Kurban ait
    ],
)
def test_decide_within_15_working_days(received, expected):
    assert deadlines.decide_by(received) == expected


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (date(2026, 12, 1), date(2027, 2, 1)),
        (date(2026, 12, 31), date(2027, 3, 1)),  # 28 February 2027 is a Sunday
        (date(2026, 11, 7), date(2027, 1, 8)),  # 7 January is Orthodox Christmas
        (date(2027, 1, 21), date(2027, 3, 25)),  # 21 March: Nauryz runs to the 24th
    ],
)
def test_extension_up_to_2_months_from_receipt(received, expected):
    assert deadlines.latest_extension(received) == expected


@pytest.mark.parametrize(
    ("extended_on", "expected"),
    [(date(2026, 12, 11), date(2026, 12, 17)), (date(2026, 12, 31), date(2027, 1, 8))],  # over New Year and Christmas
)
def test_applicant_told_of_an_extension_within_3_working_days(extended_on, expected):
    assert deadlines.extension_notice_by(extended_on) == expected


@pytest.mark.parametrize(
    ("learned", "expected"),
    [
        (date(2026, 9, 1), date(2026, 12, 1)),
        (date(2026, 12, 4), date(2027, 3, 4)),
        (date(2026, 10, 16), date(2027, 1, 18)),  # 16 January 2027 is a Saturday
        (date(2026, 11, 30), date(2027, 3, 1)),  # no 30 February; the 28th is a Sunday
        (date(2026, 10, 4), date(2027, 1, 5)),  # 4 January 2027 is a day off
    ],
)
def test_complaint_within_3_months(learned, expected):
    assert deadlines.complaint_by(learned) == expected


@pytest.mark.parametrize(
    ("filed", "expected"),
    [
        (date(2026, 12, 11), date(2026, 12, 21)),  # over Independence Day
        (date(2026, 12, 29), date(2027, 1, 8)),  # over New Year and Orthodox Christmas
        (date(2027, 3, 19), date(2027, 3, 31)),  # over Nauryz
    ],
)
def test_complaint_decided_within_5_working_days(filed, expected):
    assert deadlines.complaint_decide_by(filed) == expected


@pytest.mark.parametrize(
    ("due", "today", "expected"),
    [
        (date(2026, 12, 4), date(2026, 12, 1), Urgency.ON_TIME),  # 3 working days left
        (date(2026, 12, 4), date(2026, 12, 3), Urgency.NEARLY_DUE),  # 1 left
        (date(2026, 12, 4), date(2026, 12, 4), Urgency.NEARLY_DUE),  # the last day
        (date(2026, 12, 4), date(2026, 12, 5), Urgency.OVERDUE),
        (date(2026, 12, 7), date(2026, 12, 4), Urgency.NEARLY_DUE),  # Friday before a Monday deadline
        (date(2026, 12, 7), date(2026, 12, 3), Urgency.ON_TIME),
        (date(2026, 12, 17), date(2026, 12, 15), Urgency.NEARLY_DUE),  # the 16th is a holiday
        (date(2027, 1, 5), date(2026, 12, 31), Urgency.NEARLY_DUE),  # across New Year's days off
        (date(2027, 1, 5), date(2026, 12, 30), Urgency.ON_TIME),
    ],
)
def test_urgency(due, today, expected):
    assert deadlines.urgency(due, today) == expected


REFER, DECIDE, COMPLAINT = date(2026, 12, 4), date(2026, 12, 23), date(2027, 1, 8)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (CaseFacts("received", REFER, DECIDE), Pending(Step.REGISTER_OR_REFER, REFER)),
        (CaseFacts("received", REFER, DECIDE, referred=True), Pending(Step.DECIDE, DECIDE)),
        (CaseFacts("registered", REFER, DECIDE), Pending(Step.DECIDE, DECIDE)),
        (CaseFacts("decided", REFER, DECIDE), None),
        (CaseFacts("decided", REFER, DECIDE, complaint_due=COMPLAINT), Pending(Step.DECIDE_COMPLAINT, COMPLAINT)),
        (CaseFacts("withdrawn", REFER, DECIDE), None),
    ],
)
def test_pending_step(case, expected):
    assert deadlines.pending(case) == expected
