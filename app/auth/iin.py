"""Kazakhstan's individual identification number (ИИН / ЖСН).

Twelve digits: YYMMDD (date of birth), a century-and-sex digit (1/2: 19th century, 3/4: 20th,
5/6: 21st; odd male, even female), a four-digit serial and a check digit. The check digit is the
weighted sum of the first eleven digits mod 11 with weights 1..11; if that gives 10, a second
pass with weights 3..11, 1, 2; 10 again means the number is invalid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

FIRST_WEIGHTS = tuple(range(1, 12))
SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
CENTURY_BY_DIGIT = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}


@dataclass(frozen=True)
class IINInfo:
    birth_date: date
    sex: str  # "male" | "female"


def check_digit(first_eleven: str) -> int | None:
    """The check digit for eleven digits, or None when no valid check digit exists."""
    digits = [int(ch) for ch in first_eleven]
    for weights in (FIRST_WEIGHTS, SECOND_WEIGHTS):
        value = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if value != 10:
            return value
    return None


def iin_problem(iin: str) -> str | None:
    """A translated description of what is wrong with `iin`, or None when it is valid."""
    if len(iin) != 12 or not iin.isascii() or not iin.isdigit():
        return _l("The IIN must be exactly 12 digits.")
    century_digit = int(iin[6])
    if century_digit not in CENTURY_BY_DIGIT:
        return _l("The IIN's 7th digit (century and sex) must be from 1 to 6.")
    try:
        date(CENTURY_BY_DIGIT[century_digit] + int(iin[0:2]), int(iin[2:4]), int(iin[4:6]))
    except ValueError:
        return _l("The IIN's first six digits are not a valid date of birth.")
    if check_digit(iin[:11]) != int(iin[11]):
        return _l("The IIN's check digit does not match: please check the number.")
    return None


def parse_iin(iin: str) -> IINInfo:
    """Date of birth and sex of a valid IIN (raises ValueError for an invalid one)."""
    problem = iin_problem(iin)
    if problem is not None:
        raise ValueError(str(problem))
    century_digit = int(iin[6])
    birth = date(CENTURY_BY_DIGIT[century_digit] + int(iin[0:2]), int(iin[2:4]), int(iin[4:6]))
    return IINInfo(birth_date=birth, sex="male" if century_digit % 2 else "female")


def mask_iin(iin: str) -> str:
    """For pages and exports where the full number is not needed: 9001******23."""
    return iin[:4] + "*" * 6 + iin[-2:] if len(iin) == 12 else "*" * len(iin)


def make_iin(birth: date, sex: str, serial: int) -> str:
    """A valid IIN for a date of birth, sex and serial (demo data and tests).

    Serials whose check digit cannot exist are skipped to the next one.
    """
    century = {1800: 1, 1900: 3, 2000: 5}[birth.year // 100 * 100] + (0 if sex == "male" else 1)
    while True:
        first = f"{birth:%y%m%d}{century}{serial % 10000:04d}"
        digit = check_digit(first)
        if digit is not None:
            return first + str(digit)
        serial += 1
