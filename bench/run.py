"""`make bench`: the app as production runs it, a realistic data set, one table of figures.

Creates the PostgreSQL database (`BENCH_DATABASE_URL`, default kezek_bench on the local server),
migrates, imports the question bank, loads the data set (bench.data), starts gunicorn (the production
settings of deploy/gunicorn.conf.py)
and the scheduler as their own processes, both serving the benchmark's app (bench.app),
drives them from a separate load process (bench.load),
times the scheduler's jobs in this process (bench.inprocess), then prints the table and writes
`bench/results.json` and `bench/report.md`.

Settings (environment): BENCH_SCALE (1 = the issue's sizes), BENCH_SECONDS (per throughput
scenario), BENCH_REQUESTS (most requests per scenario), BENCH_CONCURRENCY (clients at once),
BENCH_DATABASE_URL, BENCH_OUTPUT (directory for results.json and report.md).
"""

from __future__ import annotations

import json
import logging
import os
import platform
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from bench import data, inprocess, lottery

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/kezek_bench"


@dataclass(frozen=True)
class Settings:
    scale: float
    seconds: float
    requests: int
    concurrency: int
    database_url: str
    output: Path

    @classmethod
    def from_environment(cls) -> Settings:
        return cls(
            scale=float(os.environ.get("BENCH_SCALE", "1")),
            seconds=float(os.environ.get("BENCH_SECONDS", "10")),
            requests=int(os.environ.get("BENCH_REQUESTS", "20000")),
            concurrency=int(os.environ.get("BENCH_CONCURRENCY", "8")),
            database_url=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE),
            output=Path(os.environ.get("BENCH_OUTPUT", ROOT / "bench")),
        )


def row(name: str, value: float | None, unit: str, goal: str, ok: bool | None) -> dict:
    """One scenario's figure; `value` None means it was not measured (never a made-up number)."""
    return {"name": name, "value": value, "unit": unit, "goal": goal, "ok": ok}


def recreate_database(url: str) -> None:
    from config import database_url

    name = url.rsplit("/", 1)[1]
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"unexpected database name {name!r}")
    engine = sa.create_engine(database_url(url.rsplit("/", 1)[0] + "/postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def environment(settings: Settings) -> dict[str, str]:
    """The processes' environment; what the benchmark changes from production is in bench.app.BenchConfig."""
    return os.environ | {
        "DATABASE_URL": settings.database_url,
        "KEZEK_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "PYTHONPATH": str(ROOT),
    }


def flask(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "bench.wsgi", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(base: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited before answering")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer in time")


def worker_rss_mib(master: int) -> float:
    """The resident memory of the largest gunicorn worker (a child of the master process)."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master) and "VmRSS" in fields:
            sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
    return max(sizes) if sizes else 0.0


def in_process_app(env: dict[str, str]):
    from bench.app import create_bench_app
    from config import database_url

    # The requests this process makes itself (counting statements) need no access lines between the
    # progress lines and the table; gunicorn's own access lines go to its log file.
    logging.getLogger("kezek.access").setLevel(logging.WARNING)
    return create_bench_app(
        overrides={"SQLALCHEMY_DATABASE_URI": database_url(env["DATABASE_URL"]), "SECRET_KEY": env["SECRET_KEY"]}
    )


def main() -> int:
    settings = Settings.from_environment()
    sizes = data.Sizes.at(settings.scale)
    env = environment(settings)
    started = time.monotonic()
    print(f"bench: scale {settings.scale}, database {settings.database_url.rsplit('/', 1)[1]}", flush=True)
    recreate_database(settings.database_url)
    flask(env, "db", "upgrade")
    flask(env, "questions", "import")
    os.environ.update({key: env[key] for key in ("KEZEK_ENV", "SECRET_KEY")})
    app = in_process_app(env)
    with app.app_context():
        with db.engine.begin() as connection:
            plan = data.load(connection, sizes)
            data.analyze(connection)
        counter = inprocess.StatementCounter(db.engine)
    inprocess.rebuild_statistics(app)
    print(f"bench: data loaded in {time.monotonic() - started:.0f} s", flush=True)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    logs = Path(tempfile.mkdtemp(prefix="kezek-bench-"))
    # The production settings (deploy/gunicorn.conf.py: 2 × CPUs + 1 sync workers), with the
    # per-worker metrics directory production uses.
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "deploy/gunicorn.conf.py",
            "-b",
            f"127.0.0.1:{port}",
            "bench.wsgi:app",
        ],
        cwd=ROOT,
        env=env | {"PROMETHEUS_MULTIPROC_DIR": str(logs / "metrics")},
        stdout=(logs / "gunicorn.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "bench.wsgi", "scheduler", "run"],
        cwd=ROOT,
        env=env,
        stdout=(logs / "scheduler.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(base, server)
        attempt_id = inprocess.start_attempt(app, plan.as_dict())
        pages_1x = inprocess.page_statements(app, counter, plan.as_dict(), attempt_id)
        load_plan = plan.as_dict() | {
            "base_url": base,
            "seconds": settings.seconds,
            "requests": settings.requests,
            "concurrency": settings.concurrency,
            "rush_concurrency": 100,
        }
        (logs / "plan.json").write_text(json.dumps(load_plan))
        subprocess.run(
            [sys.executable, "-m", "bench.load", str(logs / "plan.json"), str(logs / "load.json")],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=600,
        )
        http = json.loads((logs / "load.json").read_text())
        memory = worker_rss_mib(server.pid)
    finally:
        for process in (server, scheduler):
            process.send_signal(signal.SIGTERM)
        for process in (server, scheduler):
            process.wait(timeout=60)

    with app.app_context():
        sold = db.session.scalar(
            sa.text("SELECT count(*) FROM booking WHERE slot_id = :slot AND status IN ('held', 'confirmed')"),
            {"slot": plan.rush_slot_id},
        )
        db.session.rollback()
    few = inprocess.release_holds(app, counter, max(1, sizes.holds // 10))
    holds = inprocess.release_holds(app, counter, sizes.holds)
    reminders = inprocess.queue_day_reminders(app, counter, sizes.reminders)
    with app.app_context(), db.engine.begin() as connection:
        data.grow(connection, sizes, plan.centre_code, plan.month)
        data.analyze(connection)
    inprocess.rebuild_statistics(app)
    pages_10x = inprocess.page_statements(app, counter, plan.as_dict(), attempt_id)

    measured = Measurements(
        http, sold, few, holds, reminders, pages_1x, pages_10x, memory, lottery.draw_in_database(app)
    )
    results = figures(measured, sizes)
    elapsed = time.monotonic() - started
    write(settings, results, elapsed)
    return 0


@dataclass(frozen=True)
class Measurements:
    """What one run measured, before it is compared with the goals."""

    http: dict  # bench.load's figures per scenario
    sold: int  # places of the rush slot held or confirmed after the rush
    few: inprocess.Timed  # the hold sweep over a tenth of the holds
    holds: inprocess.Timed  # the hold sweep over all of them
    reminders: inprocess.Timed
    pages_1x: dict[str, int]  # SQL statements per page on the data set as loaded
    pages_10x: dict[str, int]  # and after it grew tenfold
    memory: float  # MiB
    draw: lottery.DrawTimed  # the fair-release draw of 10 000 requests in the database


def figures(run: Measurements, sizes: data.Sizes) -> list[dict]:
    http, sold, few, holds, reminders = run.http, run.sold, run.few, run.holds, run.reminders
    floor = http["floor"]

    def ratio(value: float, base: float) -> float:
        return round(value / base, 3) if base else 0.0

    exam, answers, calendar = http["exam_page"], http["answer_submit"], http["calendar"]
    rush = http["rush"]
    rush_errors = sum(n for status, n in rush["statuses"].items() if status not in ("201", "409"))
    rows = [
        row("floor: /bench/ping throughput", round(floor["throughput"], 1), "req/s", "reported", True),
        row("floor: /bench/ping p95", round(floor["p95"] * 1000, 1), "ms", "reported", True),
    ]
    # The ceilings: no signed-in request can do better than finding out who asks and nothing else.
    session, token = http["signed_in"], http["token"]
    for name, measured in (("session", session), ("token", token)):
        value = ratio(measured["throughput"], floor["throughput"])
        ok = value >= 0.5 and measured["errors"] == 0
        rows.append(row(f"ceiling: /bench/whoami throughput ÷ floor ({name})", value, "ratio", "≥ 0.5", ok))
    rows.append(row("ceiling: /bench/whoami p95 (session)", round(session["p95"] * 1000, 1), "ms", "reported", True))
    # Each page or API call against the ceiling of the way it is asked: pages by session, the API by token.
    for name, measured, how, goal in (
        ("exam question page", exam, "session", 0.6),
        ("answer submit (API)", answers, "token", 0.8),
    ):
        ceiling = session if how == "session" else token
        value = ratio(measured["throughput"], ceiling["throughput"])
        ok = value >= goal and measured["errors"] == 0 and ceiling["errors"] == 0
        rows.append(row(f"{name} throughput ÷ ceiling ({how})", value, "ratio", f"≥ {goal}", ok))
        rows.append(row(f"{name}: throughput", round(measured["throughput"], 1), "req/s", "reported", True))
    value = ratio(calendar["p95"], session["p95"])
    ok = value <= 2 and calendar["errors"] == 0
    rows += [
        row("month calendar p95 ÷ ceiling p95", value, "ratio", "≤ 2", ok),
        row("month calendar: p95", round(calendar["p95"] * 1000, 1), "ms", "reported", True),
        row("month calendar: throughput", round(calendar["throughput"], 1), "req/s", "reported", True),
        row(
            "public statistics page: p95",
            round(http["statistics"]["p95"] * 1000, 1),
            "ms",
            "≤ 100, no errors",
            http["statistics"]["p95"] <= 0.1 and http["statistics"]["errors"] == 0,
        ),
        row(
            f"booking rush: places sold ({sizes.rush_clients} clients)",
            sold,
            "places",
            f"= {sizes.rush_places}",
            sold == sizes.rush_places and rush["statuses"].get("201", 0) == sold,
        ),
        row("booking rush: errors other than 409", rush_errors, "responses", "= 0", rush_errors == 0),
        row(
            f"release {holds.rows} expired holds",
            round(holds.seconds, 3),
            "s",
            "≤ 2",
            holds.seconds <= 2 and holds.rows == sizes.holds,
        ),
        row(
            "release holds: SQL statements",
            holds.statements,
            "statements",
            f"= {few.statements} (at {few.rows} holds)",
            holds.statements == few.statements,
        ),
        row(
            f"queue reminders ({sizes.reminders} exams tomorrow)",
            round(reminders.seconds, 3),
            "s",
            "≤ 2",
            reminders.seconds <= 2 and reminders.rows >= sizes.reminders,
        ),
    ]
    for page, count in run.pages_1x.items():
        rows.append(
            row(
                f"SQL statements: {page} at 10× data",
                run.pages_10x[page],
                "statements",
                f"= {count} (at 1×)",
                run.pages_10x[page] == count,
            )
        )
    filing, rush_floor = http["round_requests"], http["rush_floor"]
    filed = filing["statuses"].get("201", 0)
    value = ratio(filing["p95"], rush_floor["p95"])
    ok = value <= 3 and filed == sizes.rush_clients
    rows += [
        row("filing round requests at the rush's rate: p95 ÷ floor p95", value, "ratio", "≤ 3", ok),
        row(
            f"filing round requests: p95 ({sizes.rush_clients} clients)",
            round(filing["p95"] * 1000, 1),
            "ms",
            "reported",
            True,
        ),
        row("filing round requests: filed", filed, "requests", f"= {sizes.rush_clients}", filed == sizes.rush_clients),
    ]
    places = lottery.SLOTS * lottery.PLACES_PER_SLOT
    ok = run.draw.seconds <= 2 and run.draw.winners == places
    rows.append(row(lottery.NAME, round(run.draw.seconds, 3), "s", "≤ 2", ok))
    rows.append(row("memory of one gunicorn worker after the run", round(run.memory, 1), "MiB", "reported", True))
    return rows


def table(results: list[dict]) -> str:
    lines = ["| scenario | value | unit | goal | ok |", "|---|---:|---|---|---|"]
    for result in results:
        value = "not measured" if result["value"] is None else result["value"]
        ok = "–" if result["ok"] is None else ("yes" if result["ok"] else "NO")
        lines.append(f"| {result['name']} | {value} | {result['unit']} | {result['goal']} | {ok} |")
    return "\n".join(lines)


def write(settings: Settings, results: list[dict], elapsed: float) -> None:
    settings.output.mkdir(parents=True, exist_ok=True)
    (settings.output / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()}"
    report = (
        f"# Kezek benchmark\n\nScale {settings.scale}, {settings.seconds:g} s per throughput scenario, "
        f"{settings.concurrency} clients at once; machine: {machine}; whole run {elapsed:.0f} s.\n\n{table(results)}\n"
    )
    (settings.output / "report.md").write_text(report)
    print(table(results))
    failed = [result["name"] for result in results if result["ok"] is False]
    print(f"bench: {len(results) - len(failed)} of {len(results)} figures meet their goal; run took {elapsed:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
