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

from bench import renewed
from harness.signing import DEV_CERT_URL, cert_pem, make_dev_identity
from skill.app import create_app
from tests.support import envelope_body, request_envelope, resolved_intent
from tests.support.signing import signed_headers

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


def workout_over(reply: dict[str, Any]) -> bool:
    """The answer to "next set" paced no rest: the workout is over (the session may stay
    open for the cool-down the coach offers)."""
    response = reply["response"]
    ssml = str(response.get("outputSpeech", {}).get("ssml", ""))
    return bool(response.get("shouldEndSession")) or "Rest " not in ssml


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
        reply = client.post("/alexa", data=renewed(next_set.encode()), headers=headers).get_json()
        if workout_over(reply):  # start again (a turn too)
            client.post("/alexa", data=renewed(start.encode()), headers=headers)
            return 2
        return 1

    bare = Flask("bare")

    @bare.post("/alexa")
    def same_json() -> Response:
        return Response(answer, content_type="application/json")

    bare_client = bare.test_client()

    def bare_turn() -> int:
        bare_client.post("/alexa", data=renewed(next_set.encode()), headers=headers).get_json()
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
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    port = server.server_port
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/json"}

    def post(payload: bytes) -> dict[str, Any]:
        connection.request("POST", "/alexa", body=renewed(payload), headers=headers)
        reply: dict[str, Any] = json.loads(connection.getresponse().read())
        return reply

    def turn() -> int:
        reply = post(body)
        if restart is not None and workout_over(reply):
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


# The child is handed the request body and headers, so only the skill's own start is timed.
COLD_START = """
import json, sys, time
start = time.perf_counter()
from skill.app import create_app
folder, verify = sys.argv[1], sys.argv[2] == "on"
config = {"COACH_VERIFY_REQUESTS": "1" if verify else "0", "COACH_DB_PATH": folder + "/cold.db"}
if verify:
    config["COACH_DEV_CA_PATH"] = folder + "/ca.pem"
    config["COACH_CERT_CHAINS"] = {sys.argv[3]: open(folder + "/chain.pem", "rb").read()}
app = create_app(config)
headers = json.loads(open(folder + "/headers.json").read()) if verify else {}
body = open(folder + "/body.json", "rb").read()
reply = app.test_client().post("/alexa", data=body, headers=headers,
                               content_type="application/json").get_json()
assert "Welcome" in reply["response"]["outputSpeech"]["ssml"], reply
print(time.perf_counter() - start)
"""


def cold_start_seconds(folder: Path, verify: bool) -> tuple[float, float]:
    """Median in-process time from the first import to the first answer, and whole-process
    wall time including the interpreter's own start. With `verify`, the request is signed by
    a dev identity whose CA the app trusts: the path a deployed server takes."""
    identity = make_dev_identity()
    (folder / "ca.pem").write_bytes(cert_pem(identity.ca_cert))
    (folder / "chain.pem").write_bytes(identity.chain_pem())
    inside, whole = [], []
    for run in range(COLD_STARTS):
        run_folder = folder / f"cold-{'on' if verify else 'off'}-{run}"
        run_folder.mkdir()
        for name in ("ca.pem", "chain.pem"):
            (run_folder / name).write_bytes((folder / name).read_bytes())
        body = envelope_body(request_envelope("LaunchRequest"))  # a fresh timestamp each run
        (run_folder / "body.json").write_bytes(body)
        (run_folder / "headers.json").write_text(json.dumps(signed_headers(identity, body)))
        began = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", COLD_START, str(run_folder), "on" if verify else "off"]
            + [DEV_CERT_URL],
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
        cold = {verify: cold_start_seconds(folder, verify) for verify in (True, False)}
    print("one turn: NextSetIntent (rest paced, progress saved) vs a bare route, same JSON")
    for label, ours, theirs in (
        ("in process (Flask test client)", skill, bare),
        ("over HTTP (werkzeug, keep-alive)", http_skill, http_bare),
    ):
        print(
            f"  {label:34} skill {ours * 1e3:6.2f} ms  bare {theirs * 1e3:6.2f} ms"
            f"  ratio {ours / theirs:4.1f}x  (aim <= 2x)"
        )
    print("cold start to the first answer, from the first import (aim <= 200 ms):")
    for verify, label in ((True, "signed request, verification on"), (False, "verification off")):
        inside, whole = cold[verify]
        print(
            f"  {label:34} {inside * 1e3:5.0f} ms"
            f"  ({whole * 1e3:.0f} ms with the interpreter's own start)"
        )


if __name__ == "__main__":
    main()
