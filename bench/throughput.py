"""Throughput and latency of the skill behind a real WSGI server, against a bare Flask route.

Both run on the same server with the same workers as the load test (gunicorn, 4 sync worker
processes, on 127.0.0.1), one after the other, driven by the same client: CONCURRENCY threads,
each a runner with its own user id sending NextSetIntent turns (request verification off,
progress in SQLite), and starting the workout again when it ends. The bare route answers every
POST with the very JSON the skill gives for a NextSetIntent, so the difference is the skill's
own work: parsing the envelope, the SDK's dispatch, reading and writing the runner's record and
composing the paced rest.

Run: .venv/bin/python -m bench.throughput [--rounds 3] [--seconds 5] [--concurrency 16]
[--workers 4] [--server gunicorn|waitress]
Figures go in docs/reliability.md; nothing here is asserted by the tests.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify

from bench import renewed
from bench.skill_turn import workout_over
from skill.app import create_app
from tests.support import envelope_body, resolved_intent
from tests.support.servers import HOST, SKILL_APP, ServerKind, running_server, sqlite_env

BARE_APP = "bench.throughput:bare_app()"
BARE_JSON_ENV = "BENCH_BARE_JSON"  # the file whose bytes the bare route answers with
WARM_UP_S = 1.5  # not counted: lets every worker import the app and open its database


def bare_app() -> Flask:
    """A Flask app whose POST /alexa returns fixed JSON: the floor for any Flask skill."""
    payload = Path(os.environ[BARE_JSON_ENV]).read_bytes()
    app = Flask("bare")

    @app.get("/")
    def health() -> Response:
        return jsonify(status="ok")

    @app.post("/alexa")
    def same_json() -> Response:
        return Response(payload, content_type="application/json")

    return app


def next_set_answer(folder: Path) -> bytes:
    """What the skill answers to a NextSetIntent mid-workout (made in process)."""
    app = create_app(
        {"COACH_VERIFY_REQUESTS": "0", "COACH_STORE": "sqlite", "COACH_DB_PATH": folder / "a.db"}
    )
    client = app.test_client()
    user = "amzn1.ask.account.BENCH-ANSWER"
    headers = {"Content-Type": "application/json"}
    start = envelope_body(resolved_intent("StartWorkoutIntent", user_id=user, workout="bodyweight"))
    next_set = envelope_body(resolved_intent("NextSetIntent", user_id=user))
    started = client.post("/alexa", data=start, headers=headers)
    assert started.status_code == 200, started.get_data(as_text=True)
    answer = client.post("/alexa", data=next_set, headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_data()


@dataclass
class Result:
    label: str
    requests: int
    errors: int
    seconds: float
    latencies: list[float]
    server_cpu: float = 0.0  # CPU seconds the server's processes used in the measured window
    client_cpu: float = 0.0  # and this process (the client threads)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    def line(self) -> str:
        p50, p99 = self.percentile(0.5) * 1e3, self.percentile(0.99) * 1e3
        return (
            f"  {self.label:32} {self.per_second:6.0f} req/s   p50 {p50:5.1f} ms   p99 {p99:5.1f}"
            f" ms   CPU per request: server {self.server_cpu_ms:.2f} ms, client"
            f" {self.client_cpu / self.requests * 1e3:.2f} ms   ({self.requests} requests,"
            f" {self.errors} errors)"
        )

    @property
    def server_cpu_ms(self) -> float:
        return self.server_cpu / self.requests * 1e3


def post(port: int, body: bytes) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request(
            "POST", "/alexa", body=body, headers={"Content-Type": "application/json"}
        )
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def server_cpu(group: int) -> float:
    """CPU seconds used so far by every live process in process group `group` (Linux /proc)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # the process ended meanwhile
        if int(fields[2]) == group:  # pgrp; utime and stime follow in clock ticks
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def drive(port: int, group: int, label: str, concurrency: int, seconds: float) -> Result:
    """`concurrency` runners sending NextSetIntent (and a new start when a workout ends)."""
    lock = threading.Lock()
    latencies: list[float] = []
    counts = {"requests": 0, "errors": 0}
    begin = threading.Barrier(concurrency + 1)
    window: dict[str, float] = {}

    def runner(index: int) -> None:
        user = f"amzn1.ask.account.BENCH-{index:03d}"
        workout = ("bodyweight", "dumbbell")[index % 2]
        start = envelope_body(resolved_intent("StartWorkoutIntent", user_id=user, workout=workout))
        next_set = envelope_body(resolved_intent("NextSetIntent", user_id=user))
        post(port, start)
        begin.wait()
        mine: list[float] = []
        errors = 0
        body = next_set
        while time.perf_counter() < window["end"]:
            sent = time.perf_counter()
            status, answer = post(port, renewed(body))
            took = time.perf_counter() - sent
            if status != 200:
                errors += 1
            ended = status == 200 and workout_over(json.loads(answer))
            body = start if ended else next_set  # the workout is over: start it again
            if sent >= window["start"]:
                mine.append(took)
        with lock:
            latencies.extend(mine)
            counts["requests"] += len(mine)
            counts["errors"] += errors

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    now = time.perf_counter()
    window["start"], window["end"] = now + WARM_UP_S, now + WARM_UP_S + seconds
    begin.wait()
    time.sleep(max(0.0, window["start"] - time.perf_counter()))
    cpu_before = server_cpu(group), time.process_time()
    time.sleep(max(0.0, window["end"] - time.perf_counter()))
    cpu_after = server_cpu(group), time.process_time()
    for thread in threads:
        thread.join()
    result = Result(label, counts["requests"], counts["errors"], seconds, latencies)
    result.server_cpu = cpu_after[0] - cpu_before[0]
    result.client_cpu = cpu_after[1] - cpu_before[1]
    return result


def combine(rounds: list[Result]) -> Result:
    """One result for several rounds of a target: the median round's throughput, every latency."""
    middle = sorted(rounds, key=lambda r: r.per_second)[len(rounds) // 2]
    return Result(
        middle.label,
        middle.requests,
        sum(r.errors for r in rounds),
        middle.seconds,
        [latency for r in rounds for latency in r.latencies],
        server_cpu=sum(r.server_cpu for r in rounds)
        * middle.requests
        / sum(r.requests for r in rounds),
        client_cpu=sum(r.client_cpu for r in rounds)
        * middle.requests
        / sum(r.requests for r in rounds),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="measured time per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per target, alternating")
    parser.add_argument("--concurrency", type=int, default=16, help="client threads")
    parser.add_argument("--workers", type=int, default=4, help="server worker processes")
    parser.add_argument("--server", choices=["gunicorn", "waitress"], default="gunicorn")
    args = parser.parse_args(argv)
    kind: ServerKind = args.server
    options: dict[str, Any] = {"kind": kind, "workers": args.workers}
    labels = ("skill (NextSetIntent, SQLite)", "bare Flask route, same JSON")
    rounds: dict[str, list[Result]] = {label: [] for label in labels}

    with tempfile.TemporaryDirectory() as tmp, ExitStack() as servers:
        folder = Path(tmp)
        answer = folder / "answer.json"
        answer.write_bytes(next_set_answer(folder))
        size = len(answer.read_bytes())
        # Both servers stay up; the rounds alternate, so a busy moment on the machine
        # falls on both targets alike rather than on one.
        skill = servers.enter_context(
            running_server(SKILL_APP, sqlite_env(folder / "c.db"), folder / "skill.log", **options)
        )
        bare = servers.enter_context(
            running_server(BARE_APP, {BARE_JSON_ENV: str(answer)}, folder / "bare.log", **options)
        )
        for _ in range(args.rounds):
            for label, server in zip(labels, (skill, bare), strict=True):
                rounds[label].append(
                    drive(server.port, server.pid, label, args.concurrency, args.seconds)
                )

    workers = (
        f"--workers {args.workers} (sync)" if kind == "gunicorn" else f"{4 * args.workers} threads"
    )
    print(
        f"{kind} {workers} on {HOST}; {args.concurrency} client threads; {args.rounds} rounds of"
        f" {args.seconds:.0f} s per target, alternating, each after {WARM_UP_S} s warm-up;"
        f" {os.cpu_count()} CPUs shared by server and client; answer {size} bytes"
    )
    ours, theirs = (combine(rounds[label]) for label in labels)
    for result in (ours, theirs):
        print(result.line())
    each = ", ".join(
        f"{a.per_second / b.per_second:.2f}"
        for a, b in zip(rounds[labels[0]], rounds[labels[1]], strict=True)
    )
    print(
        f"  skill/bare throughput: {ours.per_second / theirs.per_second:.2f}"
        f" (rounds: {each}; aim: at least 0.6)"
    )
    slower = statistics.median(ours.latencies) / statistics.median(theirs.latencies)
    print(f"  skill/bare median latency: {slower:.2f}x")
    print(f"  skill/bare server CPU per request: {ours.server_cpu_ms / theirs.server_cpu_ms:.2f}x")
    if ours.errors or theirs.errors:
        sys.exit("some requests failed")


if __name__ == "__main__":
    main()
