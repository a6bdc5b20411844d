"""A genuine turn's answer time while requests wait on a certificate host that never answers.

For each count, a fresh `make serve` (the harness's dev app: verification on, the dev CA trusted,
its chain preloaded) whose HTTPS proxy is a local host that accepts connections and never
answers, so every certificate download hangs and nothing leaves the machine. N unsigned
requests, each naming a chain URL of its own that passes the URL rule, are sent at once; once
the first download has reached the silent host (and half a second more, so the server has read
them all), a runner one set in says "next set", signed. Its answer is timed and read ("Set 3 of
4"); then every unsigned request's answer is awaited.

Run: .venv/bin/python -m bench.dead_cert_host [--counts 0 16 48]
Figures go in docs/reliability.md; tests/reliability/test_dead_cert_host.py asserts the behaviour.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from harness.signing import DevIdentity, make_dev_identity, save_dev_identity
from tests.support.dead_cert_host import (
    SIGNED_APP,
    SilentHost,
    dead_cert_host_env,
    read_answer,
    seed_one_set_in,
    send_unsigned,
    signed_next_set,
    wait_until,
)
from tests.support.servers import WsgiServer

TURN_TIMEOUT_S = 30.0  # long enough to see how late the turn is, past Alexa's 8 s
SETTLE_S = 0.5  # after the first download begins: the server has read every request


@dataclass(frozen=True)
class Outcome:
    unsigned: int
    turn_s: float
    turn_right: bool
    statuses: Counter[int | None]
    last_unsigned_s: float  # from sending them to the last one's answer
    downloads: int  # connections the silent host accepted


def run_case(folder: Path, identity_dir: Path, identity: DevIdentity, count: int) -> Outcome:
    db_path = folder / f"coach-{count}.sqlite3"
    seed_one_set_in(db_path)
    with SilentHost() as silent:
        env = dead_cert_host_env(silent, db_path, identity_dir)
        with WsgiServer(SIGNED_APP, env, folder / "server.log", kind="serve") as server:
            sent_at = time.monotonic()
            sent = [send_unsigned(server.port) for _ in range(count)]
            with ThreadPoolExecutor(max(count, 1)) as pool:
                pending = [pool.submit(read_answer, conn) for conn in sent]
                if count:
                    wait_until(lambda: silent.connections >= 1, 10.0)
                    time.sleep(SETTLE_S)
                began = time.monotonic()
                turn = signed_next_set(server.port, identity, TURN_TIMEOUT_S)
                turn_s = turn.at - began
                answers = [answer.result() for answer in pending]
            return Outcome(
                unsigned=count,
                turn_s=turn_s,
                turn_right=turn.status == 200 and "Set 3 of 4" in turn.text,
                statuses=Counter(answer.status for answer in answers),
                last_unsigned_s=max((a.at - sent_at for a in answers), default=0.0),
                downloads=silent.connections,
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--counts", nargs="*", type=int, default=[0, 16, 48])
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        identity = make_dev_identity()
        save_dev_identity(identity, folder / "identity")
        print(
            "| unsigned requests | signed turn answered in | right | unsigned answered |"
            " last unsigned answer | downloads tried |"
        )
        print("| --- | --- | --- | --- | --- | --- |")
        for count in args.counts:
            o = run_case(folder, folder / "identity", identity, count)
            statuses = ", ".join(
                f"{n} x {status}" for status, n in sorted(o.statuses.items(), key=str)
            )
            print(
                f"| {o.unsigned} | {o.turn_s:.2f} s | {'yes' if o.turn_right else 'NO'} |"
                f" {statuses or '-'} | {o.last_unsigned_s:.1f} s | {o.downloads} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
