"""IIN validation: shape, date of birth, century/sex digit and the two-pass check digit."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.auth.iin import iin_problem, make_iin, mask_iin, parse_iin

# 9+0+0+4+0+6+21+0+0+0+11 = 51, 51 mod 11 = 7: first pass.
VALID_FIRST_PASS = "900101300017"
# First pass: 120 mod 11 = 10; second pass with weights 3..11,1,2: 162 mod 11 = 8.
VALID_SECOND_PASS = "880515300208"
# Both passes give 10 for 90010130080: no check digit can make it valid.
NO_CHECK_DIGIT_PREFIX = "90010130080"


@pytest.mark.parametrize("iin", [VALID_FIRST_PASS, VALID_SECOND_PASS])
def test_valid_iins_pass(iin):
    assert iin_problem(iin) is None


@pytest.mark.parametrize(
    ("iin", "fragment"),
    [
        ("90010130001", "12 digits"),
        ("9001013000171", "12 digits"),
        ("90010130001a", "12 digits"),
        ("９００１０１３０００１７", "12 digits"),  # full-width digits are not ASCII digits
        ("900101700017", "7th digit"),
        ("900101000017", "7th digit"),
        ("901301300017", "date of birth"),
        ("900230300017", "date of birth"),
        ("900101300018", "check digit"),
        ("880515300207", "check digit"),
    ],
)
def test_invalid_iins_are_explained(iin, fragment):
    problem = iin_problem(iin)
    assert problem is not None
    assert fragment in str(problem)


@pytest.mark.parametrize("last", "0123456789")
def test_number_without_possible_check_digit_is_always_invalid(last):
    assert iin_problem(NO_CHECK_DIGIT_PREFIX + last) is not None


def test_parse_gives_birth_date_and_sex():
    info = parse_iin(VALID_SECOND_PASS)
    assert info.birth_date == date(1988, 5, 15)
    assert info.sex == "male"
    assert parse_iin(make_iin(date(2005, 2, 28), "female", 17)).sex == "female"
    with pytest.raises(ValueError, match="check digit"):
        parse_iin("900101300018")


@given(
    birth=st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)),
    sex=st.sampled_from(["male", "female"]),
    serial=st.integers(min_value=0, max_value=9999),
)
def test_made_iins_are_valid_and_round_trip(birth, sex, serial):
    iin = make_iin(birth, sex, serial)
    assert iin_problem(iin) is None
    info = parse_iin(iin)
    assert (info.birth_date, info.sex) == (birth, sex)


def test_mask_hides_the_middle():
    assert mask_iin(VALID_FIRST_PASS) == "9001******17"
