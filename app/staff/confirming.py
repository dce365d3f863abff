"""Destructive staff and admin actions ask first. The first POST of such a form shows a page that
says what will happen (which times, how many bookings cancelled and their applicants notified) with
a danger button; that page posts the same fields again with `confirmed=yes`, and only then does the
action run. A stray click cancels nobody's exam."""

from __future__ import annotations

from collections.abc import Sequence

from flask import render_template, request

CONFIRMED_FIELD = "confirmed"


def is_confirmed() -> bool:
    return request.form.get(CONFIRMED_FIELD) == "yes"


def page(
    *,
    title: str,
    consequences: Sequence[str],
    button: str,
    back_url: str,
    centre=None,
    admin: bool = False,
):
    """The confirmation page of the form just posted (its fields go with the confirming POST)."""
    fields = [
        (name, value) for name, value in request.form.items(multi=True) if name not in ("csrf_token", CONFIRMED_FIELD)
    ]
    return render_template(
        "staff/confirm.html",
        title=title,
        consequences=consequences,
        button=button,
        back_url=back_url,
        action_url=request.full_path.rstrip("?"),
        fields=fields,
        centre=centre,
        admin=admin,
    )
