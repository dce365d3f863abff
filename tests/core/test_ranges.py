"""The API's `from`/`to` periods are checked by one rule, with each endpoint's longest span."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from marshmallow import ValidationError

from app.core.ranges import MAX_PERIOD_DAYS, check_schema_period

FIRST = date(2026, 12, 1)


@pytest.mark.parametrize("days", [0, 1, 62])
def test_a_period_up_to_the_longest_span_passes(days):
    check_schema_period(FIRST, FIRST + timedelta(days=days), 62)


@pytest.mark.parametrize("days", [-1, 63])
def test_a_period_backwards_or_too_long_is_refused_on_to(days):
    with pytest.raises(ValidationError) as refused:
        check_schema_period(FIRST, FIRST + timedelta(days=days), 62)
    assert refused.value.field_name == "to"
    assert "at most 62 days later" in str(refused.value)


def test_a_missing_end_leaves_nothing_to_check():
    check_schema_period(FIRST, None, 1)
    check_schema_period(None, FIRST, 1)


def test_booking_and_statistics_apis_refuse_periods_beyond_their_spans(client):
    booking = client.get(
        f"/api/v1/slots?centre=ALM&exam=theory&category=B&from={FIRST}&to={FIRST + timedelta(days=63)}"
    )
    stats = client.get(f"/api/v1/stats/centres?from={FIRST}&to={FIRST + timedelta(days=MAX_PERIOD_DAYS)}")
    assert (booking.status_code, stats.status_code) == (422, 422)
    assert booking.mimetype == stats.mimetype == "application/problem+json"
    assert "62 days" in booking.get_data(as_text=True)
    assert f"{MAX_PERIOD_DAYS - 1} days" in stats.get_data(as_text=True)
    kept = client.get(f"/api/v1/stats/centres?from={FIRST}&to={FIRST + timedelta(days=MAX_PERIOD_DAYS - 1)}")
    assert kept.status_code == 200
