"""The load process: drives the running app over HTTP on 127.0.0.1 only, bounded in count and time.

`python -m bench.load PLAN.json RESULT.json` — one asyncio loop with aiohttp (requirements-dev.txt).
A scenario runs a fixed number of clients at once; each sends its next request when the answer to
the last one has arrived (a closed loop), until the scenario's request count or its deadline is
reached, whichever comes first. A short untimed warm-up of the same requests comes first, so that
every gunicorn worker has compiled its templates and statements before anything is timed.

An asynchronous client costs a fraction of a millisecond of CPU per request, which matters on a
small machine where the driver shares the cores with the server: a slower driver would lower the
floor it is measured against and flatter every ratio.
"""

from __future__ import annotations

import asyncio
import json
import re
import statistics
import sys
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field

import aiohttp

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
WARM_UP_SECONDS = 1.0
NO_ANSWER = 0  # the status recorded when the connection failed: counted as an error


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

    def record(self, status: int, seconds: float) -> None:
        self.requests += 1
        self.latencies.append(seconds)
        self.statuses[str(status)] = self.statuses.get(str(status), 0) + 1
        self.errors += not 200 <= status < 300

    def summary(self) -> dict:
        body = asdict(self)
        del body["latencies"]
        return body | {"throughput": self.throughput, "p95": self.p95}


class Client:
    """One user's browser (its own cookies) or API client (its bearer token), on a shared connector."""

    def __init__(self, connector: aiohttp.BaseConnector, base: str, token: str | None = None):
        if urllib.parse.urlsplit(base).hostname != "127.0.0.1":
            raise ValueError("the benchmark drives 127.0.0.1 only")
        self.base = base
        self.token = token
        # unsafe: the server is an IP address, whose cookies aiohttp would otherwise refuse to keep.
        jar = aiohttp.DummyCookieJar() if token else aiohttp.CookieJar(unsafe=True)
        self.http = aiohttp.ClientSession(
            connector=connector, connector_owner=False, cookie_jar=jar, timeout=aiohttp.ClientTimeout(total=60)
        )

    async def call(
        self, method: str, path: str, body: dict | None = None, form: dict | None = None
    ) -> tuple[int, bytes]:
        headers = {"Accept-Language": "ru"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            async with self.http.request(method, self.base + path, json=body, data=form, headers=headers) as response:
                return response.status, await response.read()
        except (aiohttp.ClientError, TimeoutError):
            return NO_ANSWER, b""

    async def sign_in(self, email: str, password: str) -> None:
        _, page = await self.call("GET", "/account/login")
        token = CSRF.search(page.decode()).group(1)
        status, _ = await self.call(
            "POST", "/account/login", form={"csrf_token": token, "email": email, "password": password}
        )
        if status != 200:
            raise RuntimeError(f"sign-in failed with {status}")

    async def close(self) -> None:
        await self.http.close()


Work = Callable[[int, int], Awaitable[int]]


async def drive(work: Work, concurrency: int, seconds: float, limit: int, warm_up: float = WARM_UP_SECONDS) -> Figures:
    """Run `work(client, i)` (returns the HTTP status) from `concurrency` clients at once until
    `seconds` pass or `limit` requests are made; every status other than 2xx counts as an error.
    The untimed warm-up before it runs the same way for `warm_up` seconds (at most `seconds`), bounded
    by `limit` requests of its own."""
    if warm_up:
        await _closed_loop(work, concurrency, min(warm_up, seconds), limit, Figures())
    figures = Figures()
    started = time.perf_counter()
    await _closed_loop(work, concurrency, seconds, limit, figures)
    figures.seconds = time.perf_counter() - started
    return figures


async def _closed_loop(work: Work, concurrency: int, seconds: float, limit: int, figures: Figures) -> None:
    numbers = iter(range(limit))
    deadline = time.perf_counter() + seconds

    async def client(n: int) -> None:
        while time.perf_counter() < deadline and (i := next(numbers, None)) is not None:
            started = time.perf_counter()
            status = await work(n, i)
            figures.record(status, time.perf_counter() - started)

    await asyncio.gather(*(client(n) for n in range(concurrency)))


def visit(client: Client, path: str) -> Work:
    """Work that opens one page again and again."""

    async def work(_: int, __: int) -> int:
        return (await client.call("GET", path))[0]

    return work


async def run(plan: dict) -> dict:
    base, seconds, limit, concurrency = plan["base_url"], plan["seconds"], plan["requests"], plan["concurrency"]
    prefix = plan["token_prefix"]
    results: dict[str, dict] = {}
    # Each request on its own connection, as gunicorn's sync workers close them after each response.
    connector = aiohttp.TCPConnector(limit=max(concurrency, plan["rush_concurrency"]), force_close=True)
    clients: list[Client] = []

    def client(token: str | None = None) -> Client:
        clients.append(Client(connector, base, token))
        return clients[-1]

    try:
        ping = client()

        async def floor(_: int, __: int) -> int:
            return (await ping.call("GET", "/bench/ping"))[0]

        results["floor"] = (await drive(floor, concurrency, seconds, limit)).summary()

        # Mid-attempt learners: each signs in on the web and starts an exam through the API.
        learners = []
        for email, user_id in zip(plan["web_emails"], plan["api_user_ids"], strict=True):
            web, api = client(), client(token=f"{prefix}{user_id}")
            await web.sign_in(email, plan["password"])
            status, body = await api.call("POST", "/api/v1/attempts", body={"profile": plan["profile"], "lang": "ru"})
            if status != 201:
                raise RuntimeError(f"starting an attempt failed with {status}: {body[:200]!r}")
            learners.append((web, api, json.loads(body)))

        async def exam_page(n: int, i: int) -> int:
            web, _, attempt = learners[n % len(learners)]
            return (await web.call("GET", f"/exam/attempts/{attempt['id']}/{1 + i % len(attempt['questions'])}"))[0]

        async def answer(n: int, i: int) -> int:
            _, api, attempt = learners[n % len(learners)]
            question = attempt["questions"][i % len(attempt["questions"])]
            option = question["options"][i % len(question["options"])]
            path = f"/api/v1/attempts/{attempt['id']}/answers/{question['id']}"
            return (await api.call("PUT", path, {"option_id": option["id"]}))[0]

        # The ceilings: what finding out who asks costs, by session cookie (pages) and by token (API).
        async def signed_in(n: int, _: int) -> int:
            return (await learners[n % len(learners)][0].call("GET", "/bench/whoami"))[0]

        async def token(n: int, _: int) -> int:
            return (await learners[n % len(learners)][1].call("GET", "/bench/whoami"))[0]

        calendar_path = f"/booking/centres/{plan['centre_code']}?view=month&date={plan['month']}&exam=theory&category=B"

        async def calendar(n: int, _: int) -> int:
            return (await learners[n % len(learners)][0].call("GET", calendar_path))[0]

        results["signed_in"] = (await drive(signed_in, concurrency, seconds, limit)).summary()
        results["token"] = (await drive(token, concurrency, seconds, limit)).summary()
        results["exam_page"] = (await drive(exam_page, concurrency, seconds, limit)).summary()
        results["answer_submit"] = (await drive(answer, concurrency, seconds, limit)).summary()
        results["calendar"] = (await drive(calendar, concurrency, seconds, limit)).summary()

        # The public statistics, as anyone reads them: no sign-in, a city's comparison.
        results["statistics"] = (await drive(visit(client(), "/stats/"), concurrency, seconds, limit)).summary()

        await _rushes(plan, [client(token=f"{prefix}{user_id}") for user_id in plan["rush_user_ids"]], floor, results)
    finally:
        for each in clients:
            await each.close()
        await connector.close()
    return results


async def _rushes(plan: dict, rushers: list[Client], floor: Work, results: dict[str, dict]) -> None:
    """The rushes: as many clients as people at once, each trying once, no warm-up."""
    seconds, limit = plan["seconds"], plan["requests"]
    concurrent = min(len(rushers), plan["rush_concurrency"])
    # Filing requests at the rush's rate: the same clients at once, each files one request in the
    # open round (before the booking rush, after which they could not ask for another theory exam).
    # Against the floor measured with as many clients at once.
    results["rush_floor"] = (await drive(floor, concurrent, seconds, limit)).summary()
    requests_path, choices = f"/api/v1/rounds/{plan['round_id']}/requests", plan["round_choices"]

    # As people do, each first reads the round (its times and day parts) before it opens: untimed.
    async def read_round(_: int, i: int) -> int:
        return (await rushers[i].call("GET", f"/api/v1/rounds/{plan['round_id']}"))[0]

    await drive(read_round, concurrent, max(seconds, 120), len(rushers), warm_up=0)

    async def file_request(_: int, i: int) -> int:
        return (await rushers[i].call("POST", requests_path, {"choices": choices}))[0]

    filing = drive(file_request, concurrent, max(seconds, 120), len(rushers), warm_up=0)
    results["round_requests"] = (await filing).summary()

    # The booking rush: every client wants a place in the one slot at once.
    async def rush(_: int, i: int) -> int:
        return (await rushers[i].call("POST", "/api/v1/bookings", {"slot_id": plan["rush_slot_id"]}))[0]

    results["rush"] = (await drive(rush, concurrent, max(seconds, 120), len(rushers), warm_up=0)).summary()


def main(argv: list[str]) -> int:
    with open(argv[1]) as plan_file:
        plan = json.load(plan_file)
    results = asyncio.run(run(plan))
    with open(argv[2], "w") as result_file:
        json.dump(results, result_file, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
