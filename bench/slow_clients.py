"""Slow clients against candidate ways of serving the skill: which keep answering?

For each server and each case, a fresh server on 127.0.0.1 (request verification on, trusting a
dev CA made for the run) gets N slow clients (headers trickled a byte every 0.2 s, or complete
headers and a crawling body); one second later, while they hang, a user asks the health check
and says "open upper body coach" (a signed LaunchRequest) a few times, one after the other.
Each answer is read: the health check must say "ok" and the launch must welcome the runner.

Run: .venv/bin/python -m bench.slow_clients [--servers NAME ...] [--cases CASE ...]
Figures go in docs/reliability.md; tests/reliability/test_slow_clients.py asserts the behaviour.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from harness.signing import CA_CERT_FILE, DevIdentity, make_dev_identity, save_dev_identity
from tests.support.servers import HOST, WsgiServer
from tests.support.slow_clients import Answer, SlowClients, SlowKind, health, launch

SIGNED_APP = "harness.cli:dev_server_app()"  # the skill, trusting the dev CA, chain preloaded
PROBE_TIMEOUT_S = 8.0  # Alexa gives up on an answer after about 8 s: a lost request
PROBES = 2  # of each kind, one after the other


def gunicorn(worker_class: str, workers: int, threads: int = 1) -> list[str]:
    return [
        *("-m", "gunicorn", "--workers", str(workers), "--worker-class", worker_class),
        *("--threads", str(threads), "--log-level", "warning", "--bind", "{bind}", SIGNED_APP),
    ]


def waitress(threads: int, *extra: str) -> list[str]:
    return [
        *("-m", "waitress", "--listen", "{bind}", f"--threads={threads}", *extra),
        *("--call", SIGNED_APP.removesuffix("()")),
    ]


SHIPPED = "skill.serve (make serve)"
SERVERS: dict[str, list[str] | None] = {  # None: the shipped server, as `make serve` runs it
    SHIPPED: None,
    "gunicorn sync, 2 workers": gunicorn("sync", 2),
    "gunicorn sync, 4 workers": gunicorn("sync", 4),
    "gunicorn gthread, 2 workers x 8 threads": gunicorn("gthread", 2, 8),
    "gunicorn gthread, 2 workers x 32 threads": gunicorn("gthread", 2, 32),
    "waitress, 16 threads (defaults)": waitress(16),
}

CASES: dict[str, list[tuple[SlowKind, int]]] = {
    "10 slow headers": [("headers", 10)],
    "50 slow headers": [("headers", 50)],
    "10 slow bodies": [("body", 10)],
    "40 slow headers + 10 slow bodies": [("headers", 40), ("body", 10)],
    "200 slow headers": [("headers", 200)],
    "990 slow headers": [("headers", 990)],
    "1000 slow headers": [("headers", 1000)],
}


@dataclass(frozen=True)
class Outcome:
    server: str
    case: str
    answers: list[Answer]

    @property
    def answered(self) -> int:
        return sum(1 for answer in self.answers if right(answer))

    @property
    def slowest_s(self) -> float:
        return max(answer.seconds for answer in self.answers)


def right(answer: Answer) -> bool:
    if answer.what == "GET /":
        return answer.ok and answer.text == "status ok"
    return answer.ok and "Welcome" in answer.text


class Server(WsgiServer):
    """A server started from an argument list ("{bind}" stands for host:port), or the shipped
    one (`args` None)."""

    def __init__(self, args: list[str] | None, env: dict[str, str], log_path: Path) -> None:
        super().__init__(SIGNED_APP, env, log_path, kind="serve" if args is None else "gunicorn")
        self.args = args

    def command(self) -> list[str]:
        if self.args is None:
            return super().command()
        bind = f"{HOST}:{self.port}"
        return [sys.executable, *(arg.replace("{bind}", bind) for arg in self.args)]


def run_case(
    server: Server, identity: DevIdentity, clients: list[tuple[SlowKind, int]]
) -> list[Answer]:
    crowd = [SlowClients(HOST, server.port, count, kind) for kind, count in clients]
    try:
        for group in crowd:
            group.start()
        time.sleep(1.0)  # every slow client has connected and holds whatever it gets
        answers: list[Answer] = []
        for _ in range(PROBES):
            answers.append(health(HOST, server.port, PROBE_TIMEOUT_S))
            answers.append(launch(HOST, server.port, identity, PROBE_TIMEOUT_S))
        return answers
    finally:
        for group in crowd:
            group.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--servers", nargs="*", default=list(SERVERS), choices=list(SERVERS))
    parser.add_argument("--cases", nargs="*", default=list(CASES), choices=list(CASES))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        identity = make_dev_identity()
        save_dev_identity(identity, folder / "identity")
        env = {
            "COACH_DB_PATH": str(folder / "coach.sqlite3"),
            "COACH_DEV_CA_PATH": str(folder / "identity" / CA_CERT_FILE),
        }
        print("| server | case | answered | slowest |")
        print("| --- | --- | --- | --- |")
        for name in args.servers:
            for case in args.cases:
                server = Server(SERVERS[name], env, folder / "server.log")
                with server:
                    outcome = Outcome(name, case, run_case(server, identity, CASES[case]))
                slowest = outcome.slowest_s
                shown = f"{slowest:.2f} s" if slowest < PROBE_TIMEOUT_S else "timed out"
                total = len(outcome.answers)
                print(f"| {name} | {case} | {outcome.answered} of {total} | {shown} |", flush=True)


if __name__ == "__main__":
    main()
