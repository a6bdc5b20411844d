"""How many lines a DynamoDB outage leaves in the server's log, with runners training throughout.

The skill runs on gunicorn (4 sync workers, as in the load test) on DynamoDB: moto_server behind
a TCP switch, as in the crash test's outage. CONCURRENCY runners each say "next set" over and
over (and start again when a workout ends); the switch is down for SECONDS, then up again, and
the runners carry on for RECOVERY_S more so that every worker answers once the store is back.
The server's log is then read for the lines about the store. Each worker logs its own failures
(skill.logs.FailureLog): the first at once, then a count every 10 s, then "working again".

Run: .venv/bin/python -m bench.outage_logs [--seconds 30] [--concurrency 16]
Figures go in docs/reliability.md; nothing here is asserted by the tests.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import threading
import time
from pathlib import Path

from bench import renewed
from bench.skill_turn import workout_over
from bench.throughput import post
from tests.support import envelope_body, resolved_intent
from tests.support.moto import MotoServer, TcpSwitch
from tests.support.servers import SKILL_APP, dynamodb_env, new_table, running_server

APOLOGY = "can't reach your saved workouts"
STORE_LINE = "progress store unavailable"
RECOVERY_S = 12.0  # past the 10 s between lines: each worker says it is working again


class Turns:
    """What the runners heard, counted across their threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.apologies = 0
        self.answered = 0

    def add(self, apologies: int, answered: int) -> None:
        with self.lock:
            self.apologies += apologies
            self.answered += answered


def train(port: int, index: int, until: list[float], turns: Turns) -> None:
    """One runner: "next set" until `until[0]` (a list: the end is set once the outage is
    over), a new start whenever a workout ends."""
    user = f"amzn1.ask.account.OUTAGE-{index:03d}"
    start = envelope_body(resolved_intent("StartWorkoutIntent", user_id=user, workout="dumbbell"))
    next_set = envelope_body(resolved_intent("NextSetIntent", user_id=user))
    post(port, renewed(start))
    apologies = answered = 0
    body = next_set
    while time.monotonic() < until[0]:
        status, answer = post(port, renewed(body))
        reply = json.loads(answer) if status == 200 else {}
        speech = str(reply.get("response", {}).get("outputSpeech", {}).get("ssml", ""))
        if APOLOGY in speech:
            apologies += 1
            body = next_set
        else:
            answered += 1
            body = start if reply and workout_over(reply) else next_set
    turns.add(apologies, answered)


def outage(folder: Path, seconds: float, concurrency: int) -> tuple[Turns, list[str]]:
    """The runners' turns, and the server log's lines from the outage on."""
    moto = MotoServer(folder / "moto.log")
    switch = TcpSwitch(moto.port)
    log_path = folder / "gunicorn.log"
    try:
        table = new_table(moto.endpoint)
        with running_server(SKILL_APP, dynamodb_env(switch.endpoint, table), log_path) as server:
            until = [float("inf")]
            turns = Turns()
            runners = [
                threading.Thread(target=train, args=(server.port, i, until, turns))
                for i in range(concurrency)
            ]
            for runner in runners:
                runner.start()
            time.sleep(2.0)  # every runner under way
            before = log_path.stat().st_size
            switch.down()
            time.sleep(seconds)
            switch.up()
            until[0] = time.monotonic() + RECOVERY_S
            for runner in runners:
                runner.join()
    finally:
        switch.close()
        moto.stop()
    with log_path.open("rb") as log:
        log.seek(before)
        return turns, log.read().decode(errors="replace").splitlines()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--concurrency", type=int, default=16)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        turns, lines = outage(Path(folder), options.seconds, options.concurrency)
    about_store = [line for line in lines if STORE_LINE in line]
    again = [line for line in about_store if "working again" in line]
    print(
        f"A {options.seconds:.0f} s DynamoDB outage, {options.concurrency} runners on gunicorn"
        f" (4 workers): {turns.apologies} turns answered with the apology,"
        f" {turns.answered} answered in full before and after"
    )
    print(
        f"  log lines about the store: {len(about_store)} ({len(about_store) - len(again)}"
        f" failures and counts, {len(again)} 'working again');"
        f" all lines: {len(lines)}; tracebacks: {sum('Traceback' in line for line in lines)}"
    )
    totals = [int(m[1]) for line in again if (m := re.search(r"after (\d+) failures", line))]
    print(f"  the 'working again' lines count {sum(totals)} failures all told")
    for line in about_store[:24]:
        print(f"    {line[:150]}")


if __name__ == "__main__":
    main()
