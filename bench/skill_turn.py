"""Benchmark: one skill turn through Flask with SQLite, against a bare Flask route returning the
same JSON; and the time from a cold start to the first answered request.

Run with `make bench`. Figures go in the README; nothing here is asserted by the tests.
"""

from __future__ import annotations

import http.client
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, Response
from werkzeug.serving import WSGIRequestHandler, make_server

from skill.app import create_app
from tests.support import resolved_intent

ROUNDS = 7
TURNS_PER_ROUND = 200
COLD_STARTS = 5


class KeepAliveHandler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"

    def log(self, *args: Any, **kwargs: Any) -> None:  # a log line per request would be timed
        pass


def per_request_seconds(send: Callable[[], int]) -> float:
    """Median over rounds of the mean time of one request; `send` says how many it sent."""
    rounds = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        sent = sum(send() for _ in range(TURNS_PER_ROUND))
        rounds.append((time.perf_counter() - start) / sent)
    return statistics.median(rounds)


def skill_turn_vs_bare_route(
    folder: Path,
) -> tuple[tuple[float, float], tuple[float, float]]:
    app = create_app({"COACH_VERIFY_REQUESTS": "0", "COACH_DB_PATH": str(folder / "bench.db")})
    client = app.test_client()
    start = json.dumps(resolved_intent("StartWorkoutIntent", workout="bodyweight"))
    next_set = json.dumps(resolved_intent("NextSetIntent"))
    headers = {"Content-Type": "application/json"}
    client.post("/alexa", data=start, headers=headers)
    answer = client.post("/alexa", data=next_set, headers=headers).get_data()

    def skill_turn() -> int:
        reply = client.post("/alexa", data=next_set, headers=headers).get_json()
        if reply["response"]["shouldEndSession"]:  # workout over: start again (a turn too)
            client.post("/alexa", data=start, headers=headers)
            return 2
        return 1

    bare = Flask("bare")

    @bare.post("/alexa")
    def same_json() -> Response:
        return Response(answer, content_type="application/json")

    bare_client = bare.test_client()

    def bare_turn() -> int:
        bare_client.post("/alexa", data=next_set, headers=headers).get_json()
        return 1

    in_process = per_request_seconds(skill_turn), per_request_seconds(bare_turn)
    http_skill = over_http(app, next_set.encode(), start.encode())
    http_bare = over_http(bare, next_set.encode(), None)
    return in_process, (http_skill, http_bare)


def over_http(app: Flask, body: bytes, restart: bytes | None) -> float:
    """Per-request time against `app` served on 127.0.0.1 by werkzeug's server (the one
    `make run` uses), one kept-alive connection, as Alexa's service would reach it
    (without TLS)."""
    # HTTP/1.1 keeps the connection alive between requests, as Alexa's service does.
    server = make_server("127.0.0.1", 0, app, request_handler=KeepAliveHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_port
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/json"}

    def post(payload: bytes) -> dict[str, Any]:
        connection.request("POST", "/alexa", body=payload, headers=headers)
        reply: dict[str, Any] = json.loads(connection.getresponse().read())
        return reply

    def turn() -> int:
        reply = post(body)
        if restart is not None and reply["response"]["shouldEndSession"]:
            post(restart)
            return 2
        return 1

    try:
        if restart is not None:
            post(restart)
        return per_request_seconds(turn)
    finally:
        connection.close()
        server.shutdown()
        thread.join()


COLD_START = """
import json, sys, time
start = time.perf_counter()
from skill.app import create_app
from tests.support import request_envelope
app = create_app({"COACH_VERIFY_REQUESTS": "0", "COACH_DB_PATH": sys.argv[1]})
reply = app.test_client().post("/alexa", json=request_envelope("LaunchRequest")).get_json()
assert "Welcome" in reply["response"]["outputSpeech"]["ssml"]
print(time.perf_counter() - start)
"""


def cold_start_seconds(folder: Path) -> tuple[float, float]:
    """Median in-process time from the first import to the first answer, and whole-process
    wall time including the interpreter's own start."""
    inside, whole = [], []
    for run in range(COLD_STARTS):
        began = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", COLD_START, str(folder / f"cold{run}.db")],
            capture_output=True,
            text=True,
            check=True,
        )
        whole.append(time.perf_counter() - began)
        inside.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(inside), statistics.median(whole)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (skill, bare), (http_skill, http_bare) = skill_turn_vs_bare_route(folder)
        inside, whole = cold_start_seconds(folder)
    print("one turn: NextSetIntent (rest paced, progress saved) vs a bare route, same JSON")
    for label, ours, theirs in (
        ("in process (Flask test client)", skill, bare),
        ("over HTTP (werkzeug, keep-alive)", http_skill, http_bare),
    ):
        print(
            f"  {label:34} skill {ours * 1e3:6.2f} ms  bare {theirs * 1e3:6.2f} ms"
            f"  ratio {ours / theirs:4.1f}x  (aim <= 2x, at most 3x)"
        )
    print(f"cold start to first answer: {inside * 1e3:5.0f} ms from first import (aim < 300 ms),")
    print(f"  {whole * 1e3:5.0f} ms for the whole process including the interpreter's start")


if __name__ == "__main__":
    main()
