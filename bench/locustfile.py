"""B8: the dispatcher console under load (PERFORMANCE-SUITE.md §4, B8).

50 dispatchers poll the live board every 2 s and dispatch about once a minute; intake files
10 calls a second through the API; residents load the portal at 20 requests a second. Run by
bench/run.py, which prepares the accounts, units and sessions and passes them in
BEATBOOK_B8_SETUP (a JSON file). The B8 run names its three kinds of user; `Open311App` runs
alone against B2's own server, for B2's p95 over HTTP at 10 creates a second."""

from __future__ import annotations

import json
import os
import random
import sys
from collections.abc import Callable
from pathlib import Path
from time import perf_counter
from typing import Any

import gevent
from locust import FastHttpUser, task

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # locust runs this file alone
from bench.common import live_version_in, poll_headers  # noqa: E402

SETUP: dict[str, Any] = json.loads(Path(os.environ["BEATBOOK_B8_SETUP"]).read_text())
QUEUED: list[int] = []  # calls filed by intake, waiting for a dispatcher (one process: shared)
UNITS: list[int] = list(SETUP["units"])


def constant_throughput(runs_per_second: float) -> Callable[[PacedUser], float]:
    """Locust's `constant_throughput`, except that each user keeps its own phase.

    Locust starts users ten at once, once a second (`-r 10`), and its pacing keeps every
    user on the phase it was created at (a sleep in `on_start` moves only the first task),
    so every request of a run started in one of two tenths of each second: a herd of ~30
    requests at once, then nothing, which no room of dispatchers makes (B8 in
    docs/performance.md). Each user here first waits a random part of its period
    (`PacedUser.on_start`), then starts a task every period from there on."""
    period = 1 / runs_per_second

    def wait_time(user: PacedUser) -> float:
        now = perf_counter()
        # Like locust's: a task that overran its period is followed at once, not caught up.
        user.next_start = max(now, user.next_start + period)
        return user.next_start - now

    wait_time.period = period  # type: ignore[attr-defined]
    return wait_time


class PacedUser(FastHttpUser):
    abstract = True
    next_start = 0.0

    def on_start(self) -> None:
        gevent.sleep(random.uniform(0, self.wait_time.period))  # type: ignore[attr-defined]
        self.next_start = perf_counter()


class Dispatcher(PacedUser):
    fixed_count = 50
    wait_time = constant_throughput(0.5)  # one action every 2 s

    def on_start(self) -> None:
        super().on_start()
        self.cookie = f"{SETUP['cookie_name']}={SETUP['sessions'].pop()}"
        self.version = ""

    @task(29)
    def poll_board(self) -> None:
        # As the board page's htmx does: the version it shows, and the mark that a poll is
        # not the dispatcher's own activity (it does not extend the session).
        response = self.client.get(
            "/calls/board/live/",
            headers={**poll_headers(self.version), "Cookie": self.cookie},
            name="board poll",
        )
        if response.status_code == 200:
            self.version = live_version_in(response.text) or self.version

    @task(1)
    def dispatch(self) -> None:
        if not QUEUED or not UNITS:
            return
        call_id, unit_id = QUEUED.pop(0), UNITS.pop()
        self.client.post(
            f"/api/v1/calls/{call_id}/dispatch/",
            json={"unit_id": unit_id},
            headers={"Authorization": f"Token {SETUP['token']}"},
            name="dispatch",
        )


class Intake(PacedUser):
    fixed_count = 10
    wait_time = constant_throughput(1)  # 10 users: 10 calls a second

    @task
    def file_call(self) -> None:
        with self.client.post(
            "/api/v1/calls/",
            json={
                "call_type": "NOISE",
                "source": "phone",
                "description": "Loud music from a party next door",
                "lat": 47.611 + random.uniform(-0.001, 0.001),
                "lon": -122.331 + random.uniform(-0.001, 0.001),
            },
            headers={"Authorization": f"Token {SETUP['token']}"},
            name="intake",
            catch_response=True,
        ) as response:
            if response.status_code == 201:
                QUEUED.append(response.json()["id"])
                response.success()
            else:
                response.failure(f"{response.status_code}: {response.text[:200]}")


class Resident(PacedUser):
    fixed_count = 10
    wait_time = constant_throughput(2)  # 10 users: 20 requests a second

    @task(3)
    def portal_home(self) -> None:
        self.client.get("/portal/", name="portal")

    @task(1)
    def open311_list(self) -> None:
        self.client.get("/open311/v2/requests.json?service_code=NOISE", name="open311 list")


class Open311App(PacedUser):
    """B2 over HTTP: residents' apps filing Open311 requests, 10 users, one a second each."""

    fixed_count = 10
    wait_time = constant_throughput(1)

    @task
    def create(self) -> None:
        with self.client.post(
            "/open311/v2/requests.json",
            data={
                "api_key": SETUP["open311_key"],
                "service_code": "NOISE",
                "lat": f"{47.611 + random.uniform(-0.002, 0.002):.6f}",
                "long": f"{-122.331 + random.uniform(-0.002, 0.002):.6f}",
                "description": "Party with loud music next door",
                "attribute[SOURCE]": "music",
            },
            name="open311 create",
            catch_response=True,
        ) as response:
            if response.status_code == 200 and b"service_request_id" in response.content:
                response.success()
            else:
                response.failure(f"{response.status_code}: {response.text[:200]}")
