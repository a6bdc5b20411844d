"""A soak: N runners training for S seconds on the production server, every answer checked.

The server is started as `make serve` starts it (`python -m skill.serve`: waitress with the
settings in skill/serve.py) on 127.0.0.1 and a free port, in its own process group, with SQLite
in a temporary folder and request verification off; it is always stopped at the end.

Each runner is a `Runner` from tests/support/servers.py, with the fingerprint the load test
gives runner i (`Plan`, there too: its workout, its own rest length, the
exercise it skips, whether it uses one-shots after the microphone closes); it does workout after
workout ("open upper body coach", its rest, "start", the sets, "where am i" now and then) until
the time is up. Every answer is checked against the runner's own expectation, so a lost or
duplicated set, another runner's place or the storage apology is a wrong answer at once. Every
request carries a request id of its own, as Alexa's do (the harness makes one per request; the
soak counts any id sent twice). A runner that hears a wrong answer or an HTTP error is counted,
leaves that user id behind and carries on as a new runner, so the load stays the same.

Meanwhile the server's memory (VmRSS of every process in its group, from /proc) is sampled every
few seconds. Afterwards the store must hold exactly one record per runner, each equal to where
that runner was told it is.

Run: .venv/bin/python -m bench.soak [--runners 200] [--seconds 120] [--sample-every 5]
Exits non-zero on any error or wrong answer. Figures go in docs/reliability.md ("Soak");
tests/reliability/test_soak.py runs a short one.
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import tempfile
import threading
import time
import uuid
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.device import DeviceError, HttpTransport, SkillHttpError, TransportResponse
from tests.support.servers import (
    SKILL_APP,
    Plan,
    Runner,
    RunnerError,
    WsgiServer,
    running_server,
    shared_model,
    sqlite_env,
    sqlite_records,
    take_a_step,
)

ALEXA_WAITS_S = 8.0  # Alexa gives up on an answer after about 8 s: later is a lost request
STEPS_PER_WORKOUT = 60  # far more than any workout takes: a runner stuck in one is wrong
APOLOGIES = ("can't reach your saved workouts", "something went wrong on my side")
SERVER_TROUBLE = re.compile(r"Traceback|\bERROR\b|\bCRITICAL\b")
REQUEST_ID = re.compile(rb'"requestId":\s*"([^"]+)"')
MODEL = shared_model()  # read-only, shared by every runner


# ---- one runner's requests ----------------------------------------------------------------


@dataclass
class Tally:
    """What one runner thread sent and heard (merged with the others' at the end)."""

    answered: int = 0  # HTTP 200
    http_errors: int = 0  # any other status, or no answer within Alexa's wait
    latencies: list[float] = field(default_factory=list)  # seconds, answered or not
    request_ids: set[bytes] = field(default_factory=set)
    repeated_ids: int = 0
    workouts_finished: int = 0
    wrong: list[str] = field(default_factory=list)  # what was heard instead
    apologies: int = 0
    errors: list[str] = field(default_factory=list)  # HTTP errors, as the runner saw them
    runners: list[Runner] = field(default_factory=list)  # in good standing at the end
    left_behind: list[str] = field(default_factory=list)  # user ids given up after a failure


class CountingTransport(HttpTransport):
    """HTTP to the skill that times every request and counts statuses and request ids."""

    def __init__(self, url: str, tally: Tally) -> None:
        super().__init__(url, timeout=ALEXA_WAITS_S)
        self.tally = tally

    def post(self, body: bytes, headers: Mapping[str, str]) -> TransportResponse:
        tally = self.tally
        found = REQUEST_ID.search(body)
        request_id = found.group(1) if found else b""
        if request_id in tally.request_ids:
            tally.repeated_ids += 1
        tally.request_ids.add(request_id)
        sent = time.perf_counter()
        try:
            answer = super().post(body, headers)
        except DeviceError:
            tally.http_errors += 1  # refused, reset or not answered in time
            raise
        tally.latencies.append(time.perf_counter() - sent)
        if answer.status == 200:
            tally.answered += 1
        else:
            tally.http_errors += 1
        return answer


def new_runner(url: str, plan: Plan, tally: Tally) -> Runner:
    user_id = f"amzn1.ask.account.SOAK-{plan.index:03d}-{uuid.uuid4().hex[:8]}"
    runner = Runner(url, user_id, model=MODEL)
    runner.device.transport = CountingTransport(url, tally)
    return runner


def train(runner: Runner, plan: Plan, time_up: threading.Event, tally: Tally) -> None:
    """Workout after workout until `time_up`; stops between turns (mid-workout is fine: the
    store must then hold that place). Raises RunnerError or DeviceError at a wrong answer."""
    while not time_up.is_set():
        runner.open()
        runner.set_rest(plan.rest_seconds)  # for the workout about to start
        runner.start(plan.workout)
        for step in range(1, STEPS_PER_WORKOUT + 1):
            if not runner.expected.active or time_up.is_set():
                break
            take_a_step(runner, plan, step)
        if runner.expected.active and not time_up.is_set():
            raise RunnerError(f"{runner.user_id} did not finish in {STEPS_PER_WORKOUT} steps")
        if not runner.expected.active:
            tally.workouts_finished += 1
        runner.device.history.clear()  # every answer was checked as it came; keep memory flat


def note_failure(error: Exception, tally: Tally) -> None:
    if isinstance(error, SkillHttpError) or (
        isinstance(error, DeviceError) and "cannot reach" in str(error)
    ):
        tally.errors.append(str(error))  # already counted by the transport
        return
    heard = str(error)
    tally.wrong.append(heard)
    if any(apology in heard for apology in APOLOGIES):
        tally.apologies += 1


def run_one(
    url: str, plan: Plan, start_together: threading.Barrier, time_up: threading.Event
) -> Tally:
    """One runner: train until `time_up`, starting over as a new runner after a failure."""
    tally = Tally()
    runner = new_runner(url, plan, tally)
    start_together.wait(timeout=60)
    while True:
        try:
            train(runner, plan, time_up, tally)
        except (RunnerError, DeviceError) as error:
            note_failure(error, tally)
            tally.left_behind.append(runner.user_id)
            runner = new_runner(url, plan, tally)
            continue
        tally.runners.append(runner)
        return tally


# ---- the server's memory ------------------------------------------------------------------


def group_members(group: int) -> list[Path]:
    """/proc folders of every live process in process group `group` (Linux)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # the process ended meanwhile
        if int(fields[2]) == group:  # pgrp
            members.append(stat.parent)
    return members


def vm_rss_kb(status: str) -> int:
    """VmRSS from a /proc/<pid>/status text, in kB (0 for a process with none, e.g. a zombie)."""
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def group_rss_mb(group: int) -> float:
    total_kb = 0
    for folder in group_members(group):
        try:
            total_kb += vm_rss_kb((folder / "status").read_text())
        except OSError:
            continue
    return total_kb / 1024


class MemorySampler(threading.Thread):
    """Samples the server group's RSS now and every `every_s` seconds until stopped."""

    def __init__(self, group: int, every_s: float) -> None:
        super().__init__(daemon=True)
        self.group = group
        self.every_s = every_s
        self.began = time.monotonic()
        self.samples: list[tuple[float, float]] = [(0.0, group_rss_mb(group))]
        self._stop_now = threading.Event()

    def run(self) -> None:
        self.began = time.monotonic()  # the load starts with this thread
        for tick in itertools.count(1):
            # On a fixed schedule: a slow look through /proc must not push later samples back.
            if self._stop_now.wait(max(0.0, self.began + tick * self.every_s - time.monotonic())):
                return
            self.sample()

    def sample(self) -> None:
        self.samples.append((time.monotonic() - self.began, group_rss_mb(self.group)))

    def finish(self) -> list[tuple[float, float]]:
        self._stop_now.set()
        self.join()
        self.sample()  # the end of the load
        return self.samples


# ---- the whole soak -----------------------------------------------------------------------


@dataclass
class Report:
    seconds: float  # the load's own time, start to the last runner's last answer
    tally: Tally
    memory: list[tuple[float, float]]  # (seconds since start, MB)
    store_problems: list[str]
    records: int
    log_trouble: list[str]

    @property
    def per_second(self) -> float:
        return self.tally.answered / self.seconds

    @property
    def problems(self) -> int:
        t = self.tally
        return (
            t.http_errors
            + len(t.wrong)
            + t.repeated_ids
            + len(self.store_problems)
            + len(self.log_trouble)
        )

    def lines(self) -> list[str]:
        t = self.tally
        start, top, end = self.memory[0][1], max(mb for _, mb in self.memory), self.memory[-1][1]
        p50, p99 = percentile(t.latencies, 0.5) * 1e3, percentile(t.latencies, 0.99) * 1e3
        trace = ", ".join(f"{mb:.0f}" for _, mb in self.memory)
        return [
            f"requests answered: {t.answered}",
            f"HTTP errors: {t.http_errors}",
            f"wrong answers: {len(t.wrong)} (of which the apology: {t.apologies})",
            f"request ids sent twice: {t.repeated_ids}",
            f"requests/s: {self.per_second:.0f}",
            f"latency: p50 {p50:.1f} ms, p99 {p99:.1f} ms",
            f"workouts finished: {t.workouts_finished}",
            f"server memory (RSS): start {start:.1f} MB, max {top:.1f} MB, end {end:.1f} MB",
            f"server memory every sample (MB): {trace}",
            f"store: {self.records} records, {len(t.runners)} runners' checked,"
            f" {len(t.left_behind)} user ids given up after a failure,"
            f" {len(self.store_problems)} problems",
            f"server log: {len(self.log_trouble)} error lines",
        ]


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def merged(tallies: list[Tally]) -> Tally:
    total = Tally()
    for tally in tallies:
        total.answered += tally.answered
        total.http_errors += tally.http_errors
        total.latencies += tally.latencies
        total.repeated_ids += tally.repeated_ids + len(total.request_ids & tally.request_ids)
        total.request_ids |= tally.request_ids
        total.workouts_finished += tally.workouts_finished
        total.wrong += tally.wrong
        total.apologies += tally.apologies
        total.errors += tally.errors
        total.runners += tally.runners
        total.left_behind += tally.left_behind
    return total


def store_problems(tally: Tally, records: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Exactly one record per runner, each where its runner was last told it is; a user id left
    behind after a failure may or may not have one, and it is not compared."""
    ours = {runner.user_id for runner in tally.runners}
    known = ours | set(tally.left_behind)
    problems = [f"{user_id}: no record" for user_id in sorted(ours - set(records))]
    problems += [f"{user_id}: a record no runner made" for user_id in sorted(set(records) - known)]
    for runner in tally.runners:
        if runner.user_id in records:
            problems += runner.record_problems(records[runner.user_id])
    return problems


def log_trouble(server: WsgiServer) -> list[str]:
    log = server.log_path.read_text(errors="replace")
    return [line for line in log.splitlines() if SERVER_TROUBLE.search(line)]


def soak(
    runners: int, seconds: float, sample_every_s: float, app: str = SKILL_APP
) -> tuple[Report, str]:
    """Run the soak; the report and a line saying what ran where."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        db_path = folder / "coach.sqlite3"
        env = sqlite_env(db_path)
        with running_server(app, env, folder / "server.log", kind="serve") as server:
            setup = (
                f"{runners} runners for {seconds:.0f} s against `make serve` (python -m"
                f" skill.serve, {app}) on {server.base_url}, SQLite, verification off;"
                f" {os.cpu_count()} CPUs shared by server and runners"
            )
            start_together = threading.Barrier(runners + 1)
            time_up = threading.Event()
            with ThreadPoolExecutor(max_workers=runners) as pool:
                futures = [
                    pool.submit(
                        run_one, server.alexa_url, Plan.for_runner(i), start_together, time_up
                    )
                    for i in range(runners)
                ]
                sampler = MemorySampler(server.pid, sample_every_s)  # before any turn
                try:
                    start_together.wait(timeout=60)
                    began = time.monotonic()
                    sampler.start()
                    time.sleep(seconds)
                finally:
                    time_up.set()  # even when interrupted: no runner outlives the soak
                tally = merged([future.result() for future in futures])
                elapsed = time.monotonic() - began
            memory = sampler.finish()
            trouble = log_trouble(server)  # before shutdown, which may log its own
        records = sqlite_records(db_path)
    report = Report(elapsed, tally, memory, store_problems(tally, records), len(records), trouble)
    return report, setup


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runners", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--sample-every", type=float, default=5.0, help="seconds between RSS")
    parser.add_argument(
        "--app", default=SKILL_APP, help="app factory served (module:function()); the skill's"
    )
    args = parser.parse_args(argv)
    report, setup = soak(args.runners, args.seconds, args.sample_every, args.app)
    print(setup)
    for line in report.lines():
        print(f"  {line}")
    details = report.tally.wrong + report.tally.errors + report.store_problems + report.log_trouble
    for detail in details[:10]:
        print(f"  ! {detail[:400]}")
    if report.problems:
        print(f"  {report.problems} problems")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
