"""The benchmark's WSGI entry point: `gunicorn bench.wsgi:app`, `flask --app bench.wsgi ...` (see bench/run.py)."""

from bench.app import create_bench_app

app = create_bench_app()
