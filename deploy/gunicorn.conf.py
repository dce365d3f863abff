"""Gunicorn settings for Kezek's app servers (`gunicorn --config deploy/gunicorn.conf.py wsgi:app`).

Workers are plain sync processes: no state is kept in them (sessions are signed cookies, rate
limits live in Redis, the scheduler runs elsewhere), so any worker of any server may answer.
"""

import multiprocessing
import os
import shutil

workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20  # a rolling deploy lets requests in flight finish
keepalive = 5
# Kezek writes its own JSON access line per request (with the request id and no query string).
accesslog = None
errorlog = "-"
# TLS ends at the load balancer: trust its X-Forwarded-Proto (Kezek's KEZEK_PROXY_HOPS does the rest).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server):
    """Prometheus multiprocess mode: every worker writes its counters into this directory, which
    must be empty when the server starts (old files would add yesterday's numbers)."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory, exist_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
