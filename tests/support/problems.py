"""Helpers shared by several test modules (moved from test_api_auth.py)."""

from __future__ import annotations


def assert_problem(response, status: int, code: str):
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert {"type", "title", "status", "detail", "code"} <= body.keys()
    assert body["status"] == status
    assert body["code"] == code
    return body
