"""Template globals shared by every page."""

from __future__ import annotations

from flask import Flask, request

from app.auth.models import Role
from app.core.i18n import LANGUAGE_NAMES, current_language


def register(app: Flask) -> None:
    @app.context_processor
    def inject_globals():
        return {
            "LANGUAGE_NAMES": LANGUAGE_NAMES,
            "current_language": current_language,
            "Role": Role,
            "current_path": lambda: request.full_path.rstrip("?") if request else "/",
        }
