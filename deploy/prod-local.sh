#!/usr/bin/env bash
# `make prod-local`: Kezek as in production, on this machine — two gunicorn servers on two ports
# and the scheduler (honcho), sharing the local PostgreSQL and Redis.
set -euo pipefail
cd "$(dirname "$0")/.."

export DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/kezek_prod_local}"
export RATELIMIT_STORAGE_URI="${RATELIMIT_STORAGE_URI:-redis://127.0.0.1:6379/0}"
export WEB1_PORT="${WEB1_PORT:-8001}" WEB2_PORT="${WEB2_PORT:-8002}"
export KEZEK_METRICS_DIR="${KEZEK_METRICS_DIR:-${TMPDIR:-/tmp}/kezek-prod-local-metrics}"
export KEZEK_BASE_URL="${KEZEK_BASE_URL:-http://127.0.0.1:$WEB1_PORT}"
export WEB_CONCURRENCY="${WEB_CONCURRENCY:-2}"
# Both servers must sign sessions with the same key; a fresh one per start is enough here.
export SECRET_KEY="${SECRET_KEY:-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(48))')}"
# Plain HTTP on 127.0.0.1, no load balancer with TLS in front: the development settings (cookies
# without the Secure flag, which production refuses), but JSON logs as in production.
export KEZEK_ENV="${KEZEK_ENV:-development}" KEZEK_LOG_FORMAT="${KEZEK_LOG_FORMAT:-json}"

.venv/bin/python - <<'PY'
import os

import sqlalchemy as sa

from config import database_url

url = sa.engine.make_url(database_url(os.environ["DATABASE_URL"]))
engine = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
with engine.connect() as connection:
    if not connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}):
        connection.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
PY
.venv/bin/flask --app wsgi db upgrade
.venv/bin/flask --app wsgi questions import
.venv/bin/flask --app wsgi demo seed

echo "Kezek: http://127.0.0.1:$WEB1_PORT and http://127.0.0.1:$WEB2_PORT (readiness /readyz, metrics /metrics)"
exec .venv/bin/honcho --procfile deploy/Procfile.local --app-root . start
