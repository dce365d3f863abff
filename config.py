"""Configuration classes. Every setting comes from the environment with a safe default.

`KEZEK_ENV` picks the class (development, production, testing). Production refuses to start
with an insecure configuration (see `ProductionConfig.check`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _pairs(name: str, default: str) -> dict[str, str]:
    """ "a=b,c=d" from the environment as {"a": "b", "c": "d"}."""
    pairs = (item.split("=", 1) for item in os.environ.get(name, default).split(",") if "=" in item)
    return {key.strip(): value.strip() for key, value in pairs}


def database_url(url: str | None) -> str | None:
    """Accept a plain `postgresql://` URL and use psycopg 3 for it."""
    if url is None:
        return None
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # A relative SQLite path lives in the instance folder (Flask-SQLAlchemy 3).
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL")) or "sqlite:///kezek.sqlite"
    # hide_parameters: database errors are logged, and their statement's values (IINs, phones)
    # must not be written with them. No pool_pre_ping: a round trip before every request's first
    # statement. A connection found dead (the database restarted) invalidates the whole pool
    # instead, and the request answers 503 or, if it is a GET, is tried once more
    # (app/core/errors.py: handle_database_unavailable).
    SQLALCHEMY_ENGINE_OPTIONS = {"hide_parameters": True}
    SQLALCHEMY_RECORD_QUERIES = False
    # werkzeug's method and cost for new password hashes (scrypt, n = 2^15); never from the environment.
    PASSWORD_HASH_METHOD = "scrypt"

    BABEL_DEFAULT_LOCALE = "kk"
    BABEL_DEFAULT_TIMEZONE = "Asia/Almaty"
    LANGUAGE_COOKIE = "kezek_lang"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    # Larger request bodies answer 413 unread (no form or JSON of the app comes near 1 MB).
    MAX_CONTENT_LENGTH = int(os.environ.get("KEZEK_MAX_CONTENT_LENGTH", str(1024 * 1024)))

    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Keys of all instances live side by side in one Redis; a prefix keeps deployments apart.
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "kezek")
    # The Redis that /readyz checks (defaults to the rate limits' storage when that is Redis).
    REDIS_URL = os.environ.get("REDIS_URL")
    # How many proxies (load balancers) in front set X-Forwarded-For/-Proto: 0 trusts none. Rate
    # limits key on the client's address, so behind a load balancer this must be set.
    PROXY_HOPS = int(os.environ.get("KEZEK_PROXY_HOPS", "0"))
    # Who may read /metrics: these networks (the client address as KEZEK_PROXY_HOPS sees it), or
    # anyone sending `Authorization: Bearer <KEZEK_METRICS_TOKEN>`; everyone else gets 404.
    METRICS_ALLOW = os.environ.get("KEZEK_METRICS_ALLOW", "127.0.0.0/8, ::1")
    METRICS_TOKEN = os.environ.get("KEZEK_METRICS_TOKEN") or None
    # A `Server-Timing` header on every answer: the server's time and the database's (app/ops/timing.py).
    SERVER_TIMING = _bool("KEZEK_SERVER_TIMING", True)
    # Logs: one JSON object per line (production) or readable text (development).
    LOG_FORMAT = os.environ.get("KEZEK_LOG_FORMAT", "text")
    LOGIN_RATE_LIMIT = os.environ.get("KEZEK_LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    REGISTER_RATE_LIMIT = os.environ.get("KEZEK_REGISTER_RATE_LIMIT", "10 per hour")
    # Failed sign-ins per account (known or not), and per browser trusted by a device cookie;
    # see app/auth/throttle.py.
    LOGIN_ACCOUNT_FAILURE_LIMIT = os.environ.get("KEZEK_LOGIN_ACCOUNT_FAILURE_LIMIT", "5 per 15 minutes;20 per day")
    LOGIN_DEVICE_FAILURE_LIMIT = os.environ.get("KEZEK_LOGIN_DEVICE_FAILURE_LIMIT", "10 per 15 minutes")
    LOGIN_DEVICE_COOKIE_DAYS = int(os.environ.get("KEZEK_LOGIN_DEVICE_COOKIE_DAYS", "180"))

    QUESTION_BANK_PATH = os.environ.get(
        "KEZEK_QUESTION_BANK", os.path.join(os.path.dirname(os.path.abspath(__file__)), "questions")
    )
    QUESTIONS_PER_PAGE = 20

    API_TOKEN_TTL_SECONDS = int(os.environ.get("KEZEK_API_TOKEN_TTL_SECONDS", str(30 * 24 * 3600)))
    HOLD_TTL_SECONDS = int(os.environ.get("KEZEK_HOLD_TTL_SECONDS", "900"))
    # A place offered from the waitlist is held longer: the offer has to reach the person first.
    WAITLIST_HOLD_TTL_SECONDS = int(os.environ.get("KEZEK_WAITLIST_HOLD_TTL_SECONDS", "3600"))
    # No booking, cancelling or rescheduling closer than this to the exam's start.
    BOOKING_CHANGE_CUTOFF_HOURS = int(os.environ.get("KEZEK_BOOKING_CHANGE_CUTOFF_HOURS", "24"))
    BOOKING_MAX_RESCHEDULES = int(os.environ.get("KEZEK_BOOKING_MAX_RESCHEDULES", "2"))
    # After a cancellation, one new booking (per exam type) within this many days.
    BOOKING_COOLDOWN_DAYS = int(os.environ.get("KEZEK_BOOKING_COOLDOWN_DAYS", "10"))
    # How far ahead places may be booked.
    BOOKING_WINDOW_DAYS = int(os.environ.get("KEZEK_BOOKING_WINDOW_DAYS", "90"))
    # Item statistics flag a question (too hard, too easy, negative discrimination) only from this many
    # answers in finished trial exams: with fewer, one unlucky learner would flag it.
    ITEM_STATS_MIN_ANSWERS = int(os.environ.get("KEZEK_ITEM_STATS_MIN_ANSWERS", "30"))
    # Holds one person may take in 24 hours, including expired and released ones.
    BOOKING_DAILY_HOLD_LIMIT = int(os.environ.get("KEZEK_BOOKING_DAILY_HOLD_LIMIT", "10"))
    # The state fee applicants pay before confirming a booking: a number of monthly calculation
    # indices (MCI), and the MCI of the year in tenge (set each year by the republican budget law).
    STATE_FEE_MCI = os.environ.get("KEZEK_STATE_FEE_MCI", "1.25")
    MCI_TENGE = int(os.environ.get("KEZEK_MCI_TENGE", "4325"))
    BOOKING_RATE_LIMIT = os.environ.get("KEZEK_BOOKING_RATE_LIMIT", "10 per minute;60 per hour")
    # The public statistics API and CSV, per client address (they read a few summary rows).
    STATS_RATE_LIMIT = os.environ.get("KEZEK_STATS_RATE_LIMIT", "60 per minute;600 per hour")
    # Fair-release rounds (app/rounds): a place won in a draw is held this long for its winner to
    # confirm (longer than a usual hold: the message has to reach them first).
    ROUND_HOLD_HOURS = int(os.environ.get("KEZEK_ROUND_HOLD_HOURS", "24"))
    # Filing, changing or withdrawing requests: per person, and per address (a school's classroom
    # shares one, so it is the looser of the two).
    ROUND_REQUEST_RATE_LIMIT = os.environ.get("KEZEK_ROUND_REQUEST_RATE_LIMIT", "10 per minute;40 per hour")
    ROUND_ADDRESS_RATE_LIMIT = os.environ.get("KEZEK_ROUND_ADDRESS_RATE_LIMIT", "120 per minute")
    # The key of the requests' published pseudonyms (HMAC); by default derived from SECRET_KEY.
    ROUND_TOKEN_SECRET = os.environ.get("KEZEK_ROUND_TOKEN_SECRET") or None
    CALENDAR_ORGANIZER_EMAIL = os.environ.get("KEZEK_CALENDAR_ORGANIZER_EMAIL", "noreply@kezek.kz")
    SCHEDULER = os.environ.get("KEZEK_SCHEDULER", "off")
    # Every interval job every N seconds instead of its own interval (tests and benchmarks).
    JOB_INTERVAL_SECONDS = int(os.environ.get("KEZEK_JOB_INTERVAL_SECONDS", "0")) or None

    # Links in messages sent by jobs (no request to take the host from).
    BASE_URL = os.environ.get("KEZEK_BASE_URL", "http://127.0.0.1:5000")
    # E-mail (Flask-Mail style settings); without MAIL_SERVER messages are printed (development).
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Kezek <no-reply@kezek.kz>")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "10"))
    SMS_BACKEND = os.environ.get("SMS_BACKEND", "console")  # console | gateway | none
    # SMS_BACKEND=gateway: Mobizon's HTTP API (app/notify/sms_gateway.py, docs/messaging.md).
    SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "https://api.mobizon.kz")
    SMS_GATEWAY_KEY = os.environ.get("SMS_GATEWAY_KEY")
    SMS_SENDER = os.environ.get("SMS_SENDER", "Kezek")  # the alpha name approved by the gateway
    # Longer texts than this many parts of a concatenated SMS are sent as several SMS.
    SMS_GATEWAY_MAX_PARTS = int(os.environ.get("SMS_GATEWAY_MAX_PARTS", "6"))
    # Telegram (app/notify/telegram.py): off without a token. The secret is what Telegram sends in
    # X-Telegram-Bot-Api-Secret-Token with every update (`flask telegram set-webhook` registers it).
    TELEGRAM_BOT_TOKEN = os.environ.get("TELEGRAM_BOT_TOKEN")
    TELEGRAM_BOT_USERNAME = os.environ.get("TELEGRAM_BOT_USERNAME", "KezekBot")
    TELEGRAM_WEBHOOK_SECRET = os.environ.get("TELEGRAM_WEBHOOK_SECRET")
    TELEGRAM_API_BASE_URL = os.environ.get("TELEGRAM_API_BASE_URL", "https://api.telegram.org")
    TELEGRAM_TIMEOUT = float(os.environ.get("TELEGRAM_TIMEOUT", "10"))
    TELEGRAM_LINK_TTL_SECONDS = int(os.environ.get("TELEGRAM_LINK_TTL_SECONDS", "900"))
    # WhatsApp Cloud API (app/notify/whatsapp.py): off without a token and a phone number id.
    WHATSAPP_TOKEN = os.environ.get("WHATSAPP_TOKEN")
    WHATSAPP_PHONE_NUMBER_ID = os.environ.get("WHATSAPP_PHONE_NUMBER_ID")
    WHATSAPP_API_BASE_URL = os.environ.get("WHATSAPP_API_BASE_URL", "https://graph.facebook.com/v21.0")
    # The approved utility template of each kind ("kind=name,…") and the template language of each
    # of ours ("kk=kk,…"); kinds without a template do not go by WhatsApp.
    WHATSAPP_TEMPLATES = _pairs(
        "WHATSAPP_TEMPLATES",
        "confirmation=kezek_booking_confirmed,reminder-24h=kezek_exam_reminder,reminder-2h=kezek_exam_reminder",
    )
    WHATSAPP_LANGUAGES = _pairs("WHATSAPP_LANGUAGES", "kk=kk,ru=ru,en=en")
    # The outbox: retries with exponential back-off, then "failed" (admins can retry).
    OUTBOX_MAX_ATTEMPTS = int(os.environ.get("KEZEK_OUTBOX_MAX_ATTEMPTS", "8"))
    OUTBOX_BACKOFF_SECONDS = int(os.environ.get("KEZEK_OUTBOX_BACKOFF_SECONDS", "60"))
    OUTBOX_BACKOFF_MAX_SECONDS = int(os.environ.get("KEZEK_OUTBOX_BACKOFF_MAX_SECONDS", "3600"))
    # Appeals one person may file in 24 hours (a flood would bury the centres' queues).
    APPEAL_DAILY_LIMIT = int(os.environ.get("KEZEK_APPEAL_DAILY_LIMIT", "5"))
    # Trial exams started without an account, per client address (a driving school's classroom
    # shares one) and per browser session.
    EXAM_ANONYMOUS_START_RATE_LIMIT = os.environ.get("KEZEK_EXAM_ANONYMOUS_START_RATE_LIMIT", "60 per hour")
    EXAM_ANONYMOUS_SESSION_RATE_LIMIT = os.environ.get("KEZEK_EXAM_ANONYMOUS_SESSION_RATE_LIMIT", "10 per hour")
    ANONYMOUS_ATTEMPT_RETENTION_DAYS = int(os.environ.get("KEZEK_ANONYMOUS_ATTEMPT_RETENTION_DAYS", "30"))
    PASSWORD_RESET_TTL_SECONDS = int(os.environ.get("KEZEK_PASSWORD_RESET_TTL_SECONDS", "3600"))
    # Self-registration is confirmed by a link sent to the address given (app/auth/signup.py):
    # how long the link works, how many registration messages one address may receive (past it
    # nothing is sent, and the answer stays the same), and the address people are told to write
    # to when a registration cannot be completed.
    REGISTRATION_TTL_SECONDS = int(os.environ.get("KEZEK_REGISTRATION_TTL_SECONDS", str(24 * 3600)))
    REGISTER_MAILBOX_LIMIT = os.environ.get("KEZEK_REGISTER_MAILBOX_LIMIT", "3 per hour;10 per day")
    SUPPORT_EMAIL = os.environ.get("KEZEK_SUPPORT_EMAIL", "support@kezek.kz")
    # Confirming a phone number by a one-time SMS code (app/auth/phone.py): how long a code lives,
    # how many wrong tries it allows, and how often one person may ask for a code.
    PHONE_CODE_TTL_SECONDS = int(os.environ.get("KEZEK_PHONE_CODE_TTL_SECONDS", "600"))
    PHONE_CODE_MAX_ATTEMPTS = int(os.environ.get("KEZEK_PHONE_CODE_MAX_ATTEMPTS", "5"))
    PHONE_CODE_RATE_LIMIT = os.environ.get("KEZEK_PHONE_CODE_RATE_LIMIT", "3 per 10 minutes;10 per day")
    # FSRS spaced repetition: the desired retention, the predicted recall at which a question comes
    # due again (higher: more reviews, firmer memory). Between 0.7 and 0.97 (docs/practice.md).
    FSRS_RETENTION = min(0.97, max(0.7, float(os.environ.get("KEZEK_FSRS_RETENTION", "0.9"))))
    # Answers one batch from an offline device may carry (POST /api/v1/practice/answers).
    PRACTICE_BATCH_LIMIT = int(os.environ.get("KEZEK_PRACTICE_BATCH_LIMIT", "500"))

    # flask-smorest / OpenAPI
    API_TITLE = "Kezek API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"

    @classmethod
    def check(cls, config: Mapping[str, Any]) -> None:
        """Raise RuntimeError when the final configuration must not be used.

        The built-in keys are public (they are in this file): anyone could sign an admin's session
        with them. They serve the tests and the `flask` commands (`flask run`, the development
        server, among them) only; gunicorn or any other server needs a real key, whatever KEZEK_ENV."""
        if config.get("SECRET_KEY") in INSECURE_KEYS and not config.get("TESTING") and not inside_flask_cli():
            raise RuntimeError(
                "SECRET_KEY is not set: the built-in development key serves only `flask run` and the tests. "
                "Set SECRET_KEY to a random value of at least 32 characters, e.g. the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
            )


# The built-in keys, and the placeholder of deploy/kezek.env.example (long enough to pass for a key).
INSECURE_KEYS = {
    "development-only-insecure-key-do-not-use-in-production",
    "testing-only-key",
    "CHANGE-ME-to-a-random-value-of-at-least-32-characters",
}


def inside_flask_cli() -> bool:
    """True while the `flask` command (flask run, flask db upgrade, …) loads the app; never under
    gunicorn or another WSGI server, which do not run click."""
    import click
    from flask.cli import FlaskGroup

    context = click.get_current_context(silent=True)
    return context is not None and isinstance(context.find_root().command, FlaskGroup)


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    # Development only: a fixed, obviously insecure key so sessions survive a restart.
    SECRET_KEY = Config.SECRET_KEY or "development-only-insecure-key-do-not-use-in-production"


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-only-key"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    SCHEDULER = "off"
    # Tests make accounts by the thousand, and a real scrypt hash costs 50 ms (a third of the suite's
    # time); one round of PBKDF2 keeps every code path. The real method is tested in test_auth_web.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"


class ProductionConfig(Config):
    ENV_NAME = "production"
    LOG_FORMAT = os.environ.get("KEZEK_LOG_FORMAT", "json")
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE

    @classmethod
    def check(cls, config: Mapping[str, Any]) -> None:
        key = config.get("SECRET_KEY") or ""
        if len(key) < 32 or key in INSECURE_KEYS:
            raise RuntimeError("SECRET_KEY must be set to a random value of at least 32 characters in production")
        if not config.get("SESSION_COOKIE_SECURE") or not config.get("REMEMBER_COOKIE_SECURE"):
            raise RuntimeError("SESSION_COOKIE_SECURE and REMEMBER_COOKIE_SECURE must stay on in production")
        if str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite"):
            raise RuntimeError("DATABASE_URL must point to PostgreSQL in production")
        # Counters in memory are per worker process: with N gunicorn workers every limit is N times
        # looser, and a restart forgets them. Production counts in one shared store (Redis).
        if not config.get("RATELIMIT_ENABLED"):
            raise RuntimeError("RATELIMIT_ENABLED must stay on in production")
        if str(config.get("RATELIMIT_STORAGE_URI", "")).startswith("memory"):
            raise RuntimeError("RATELIMIT_STORAGE_URI must point to Redis (redis://...) in production")


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(env_name: str | None = None) -> type[Config]:
    name = env_name or os.environ.get("KEZEK_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"KEZEK_ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from None
