"""Helpers shared by several test modules (moved from test_booking_web.py)."""

from __future__ import annotations

from bs4 import BeautifulSoup


def soup(response) -> BeautifulSoup:
    # Babel puts narrow no-break spaces in times ("9:00 AM"); compare with plain ones.
    return BeautifulSoup(response.get_data(as_text=True).replace("\u202f", " "), "html.parser")


def flashes(response) -> str:
    return " ".join(p.get_text(" ", strip=True) for p in soup(response).select(".flash"))
