"""The load process: drives the running app over HTTP on 127.0.0.1 only, bounded in time and count.

`python -m bench.load PLAN.json RESULT.json` — standard library only (threads + urllib), so the
driver needs nothing installed and measures the server, not a client framework. Every request opens
its own connection, as gunicorn's sync workers close them after each response anyway.
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from http.cookiejar import CookieJar

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Figures:
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def p95(self) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else 0.0
        return statistics.quantiles(self.latencies, n=20)[-1]

    def summary(self) -> dict:
        body = asdict(self)
        del body["latencies"]
        return body | {"throughput": self.throughput, "p95": self.p95}


class Client:
    """One user's browser or API client: its cookies, its bearer token."""

    def __init__(self, base: str, token: str | None = None):
        if urllib.parse.urlsplit(base).hostname != "127.0.0.1":
            raise ValueError("the benchmark drives 127.0.0.1 only")
        self.base = base
        self.token = token
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def call(self, method: str, path: str, body: dict | None = None, form: dict | None = None) -> tuple[int, bytes]:
        headers = {"Accept-Language": "ru"}
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        if form is not None:
            data, headers["Content-Type"] = urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def sign_in(self, email: str, password: str) -> None:
        _, page = self.call("GET", "/account/login")
        token = CSRF.search(page.decode()).group(1)
        status, _ = self.call(
            "POST", "/account/login", form={"csrf_token": token, "email": email, "password": password}
        )
        if status != 200:
            raise RuntimeError(f"sign-in failed with {status}")


def drive(work: Callable[[int, int], int], concurrency: int, seconds: float, limit: int) -> Figures:
    """Run `work(thread, i)` (returns the HTTP status) from `concurrency` threads until `seconds` pass
    or `limit` requests are made; every status other than 2xx counts as an error."""
    figures, lock, counter = Figures(), threading.Lock(), iter(range(limit))
    deadline = time.perf_counter() + seconds

    def loop(thread: int) -> None:
        while time.perf_counter() < deadline:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            started = time.perf_counter()
            status = work(thread, i)
            elapsed = time.perf_counter() - started
            with lock:
                figures.requests += 1
                figures.latencies.append(elapsed)
                figures.statuses[str(status)] = figures.statuses.get(str(status), 0) + 1
                figures.errors += not 200 <= status < 300

    threads = [threading.Thread(target=loop, args=(n,)) for n in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    figures.seconds = time.perf_counter() - started
    return figures


def run(plan: dict) -> dict:
    base, seconds, limit, concurrency = plan["base_url"], plan["seconds"], plan["requests"], plan["concurrency"]
    prefix = plan["token_prefix"]
    results: dict[str, dict] = {}

    ping = Client(base)
    results["floor"] = drive(lambda t, i: ping.call("GET", "/bench/ping")[0], concurrency, seconds, limit).summary()

    # Mid-attempt learners: each signs in on the web and starts an exam through the API.
    learners = []
    for email, user_id in zip(plan["web_emails"], plan["api_user_ids"], strict=True):
        web, api = Client(base), Client(base, token=f"{prefix}{user_id}")
        web.sign_in(email, plan["password"])
        status, body = api.call("POST", "/api/v1/attempts", body={"profile": plan["profile"], "lang": "ru"})
        if status != 201:
            raise RuntimeError(f"starting an attempt failed with {status}: {body[:200]!r}")
        learners.append((web, api, json.loads(body)))

    def exam_page(thread: int, i: int) -> int:
        web, _, attempt = learners[thread % len(learners)]
        return web.call("GET", f"/exam/attempts/{attempt['id']}/{1 + i % len(attempt['questions'])}")[0]

    def answer(thread: int, i: int) -> int:
        _, api, attempt = learners[thread % len(learners)]
        question = attempt["questions"][i % len(attempt["questions"])]
        option = question["options"][i % len(question["options"])]
        return api.call(
            "PUT", f"/api/v1/attempts/{attempt['id']}/answers/{question['id']}", {"option_id": option["id"]}
        )[0]

    calendar_path = f"/booking/centres/{plan['centre_code']}?view=month&date={plan['month']}&exam=theory&category=B"
    results["exam_page"] = drive(exam_page, concurrency, seconds, limit).summary()
    results["answer_submit"] = drive(answer, concurrency, seconds, limit).summary()
    results["calendar"] = drive(
        lambda t, i: learners[t % len(learners)][0].call("GET", calendar_path)[0], concurrency, seconds, limit
    ).summary()

    # The rush: every client wants a place in the one slot at once.
    rushers = [Client(base, token=f"{prefix}{user_id}") for user_id in plan["rush_user_ids"]]
    rush = drive(
        lambda t, i: rushers[i].call("POST", "/api/v1/bookings", {"slot_id": plan["rush_slot_id"]})[0],
        min(len(rushers), plan["rush_concurrency"]),
        max(seconds, 120),
        len(rushers),
    )
    results["rush"] = rush.summary()
    return results


def main(argv: list[str]) -> int:
    with open(argv[1]) as plan_file:
        plan = json.load(plan_file)
    results = run(plan)
    with open(argv[2], "w") as result_file:
        json.dump(results, result_file, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
