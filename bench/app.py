"""The app `make bench` measures: production's settings and code, plus the benchmark's reference views.

The production app knows nothing of the benchmark. This module builds its own app from the same
factory, with a configuration that differs from production only where a benchmark on one machine
needs it, and registers `/bench/ping` and `/bench/whoami` (bench.views) on it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from app import create_app
from bench import views
from config import Config, ProductionConfig


class BenchConfig(ProductionConfig):
    """Production, served over plain http on 127.0.0.1 and without rate limits.

    Secure cookies never come back over plain http, so the signed-in scenarios need them off; the
    booking rush is 1 000 people from one address, which a rate limiter would turn away."""

    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    RATELIMIT_ENABLED = False

    @classmethod
    def check(cls, config: Mapping[str, Any]) -> None:
        """Production's checks (a strong key, PostgreSQL, …) except the two this class turns off on purpose."""
        loosened_on_purpose = {
            "SESSION_COOKIE_SECURE": True,
            "REMEMBER_COOKIE_SECURE": True,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "redis://unused-by-the-benchmark",
        }
        ProductionConfig.check({**config, **loosened_on_purpose})


def create_bench_app(config: type[Config] = BenchConfig, overrides: Mapping[str, Any] | None = None) -> Flask:
    app = create_app(config, overrides)
    app.register_blueprint(views.bp)
    return app
