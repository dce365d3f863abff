"""Fixtures shared by the booking tests."""

import pytest

from tests.support.booking_support import NOW, freeze


@pytest.fixture
def applicant(client, auth, make_user, centre):
    """A signed-in applicant, the clock frozen at NOW."""
    freeze(NOW)
    user = make_user()
    auth.login(user.email)
    return user
