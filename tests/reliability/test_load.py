"""Hundreds of runners doing whole workouts at once, over real HTTP, against gunicorn with four
worker processes: on SQLite, then on DynamoDB (moto_server on 127.0.0.1).

Every runner has its own user id and a fingerprint no other runner shares: its workout, its own
rest length (set by voice before it starts) and which exercise, if any, it skips. Each answer is
checked against the runner's own expectation (the exact set, its own rest, the next exercise,
the finishing summary), so an answer computed from another runner's record, or a save that was
lost, fails at once. Some runners use one-shots after the microphone closes ("Alexa, tell Upper
Body Coach next set": a new session each time), some ask "where am i" along the way. Afterwards
the store holds exactly one record per runner, and each record is that runner's own.
"""

from __future__ import annotations

import concurrent.futures
import re
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from harness.ssml_rules import speech_problems
from tests.support.moto import MotoServer, moto_fixture
from tests.support.servers import (
    SKILL_APP,
    Plan,
    Runner,
    RunnerError,
    WsgiServer,
    dynamodb_env,
    dynamodb_records,
    new_table,
    running_server,
    shared_model,
    sqlite_env,
    sqlite_records,
    take_a_step,
)

pytestmark = pytest.mark.slow

RUNNERS = 200
RUN_DEADLINE_S = 150.0  # the whole crowd, start to finish
SERVER_TROUBLE = re.compile(r"Traceback|WORKER TIMEOUT|\[ERROR\]|\[CRITICAL\]")
MODEL = shared_model()  # read-only, shared by every runner


def run_workout(url: str, plan: Plan, start_together: threading.Barrier, deadline: float) -> Runner:
    runner = Runner(
        url, f"amzn1.ask.account.LOAD-{plan.index:03d}-{uuid.uuid4().hex[:8]}", model=MODEL
    )
    start_together.wait(timeout=60)
    runner.open()
    runner.set_rest(plan.rest_seconds)
    runner.start(plan.workout)
    step = 0
    while runner.expected.active:
        step += 1
        if time.monotonic() > deadline or step > 60:
            raise RunnerError(f"{runner.user_id} ran out of time at step {step}")
        take_a_step(runner, plan, step)
    # A rest change ends with its workout; this one, made after, is kept for the next workout
    # and leaves a stored value that differs between any two runners.
    runner.set_rest(plan.rest_seconds)
    for turn in runner.device.history:
        for ssml, reprompt in ((turn.speech_ssml, False), (turn.reprompt_ssml, True)):
            if ssml and speech_problems(ssml, reprompt=reprompt):
                raise RunnerError(f"{runner.user_id}: bad SSML {speech_problems(ssml)}")
    return runner


def run_crowd(server: WsgiServer, count: int = RUNNERS) -> tuple[list[Runner], float, int]:
    """`count` runners, all at once; (runners, seconds, requests). Raises the first failure."""
    plans = [Plan.for_runner(index) for index in range(count)]
    barrier = threading.Barrier(count)
    began = time.monotonic()
    deadline = began + RUN_DEADLINE_S
    with concurrent.futures.ThreadPoolExecutor(max_workers=count) as pool:
        futures = [
            pool.submit(run_workout, server.alexa_url, plan, barrier, deadline) for plan in plans
        ]
        errors: list[str] = []
        runners: list[Runner] = []
        for future in futures:
            try:
                runners.append(future.result(timeout=RUN_DEADLINE_S + 60))
            except Exception as error:  # every runner's failure is reported, not just one
                errors.append(f"{type(error).__name__}: {error}")
    elapsed = time.monotonic() - began
    assert not errors, f"{len(errors)} of {count} runners failed:\n" + "\n".join(errors[:10])
    requests = sum(len(runner.device.history) for runner in runners)
    return runners, elapsed, requests


def check_records(runners: list[Runner], records: dict[str, dict[str, Any]]) -> None:
    assert sorted(records) == sorted(runner.user_id for runner in runners)  # none lost, no extra
    problems = [p for runner in runners for p in runner.record_problems(records[runner.user_id])]
    assert not problems, "\n".join(problems[:20])
    fingerprints = {
        (r["progress"]["workout_id"], r["progress"]["rest_seconds"]) for r in records.values()
    }
    assert len(fingerprints) == len(runners)  # every record is a different runner's


def check_server_log(server: WsgiServer) -> None:
    log = server.log_path.read_text(errors="replace")
    assert not SERVER_TROUBLE.search(log), server.log_tail()


# ---- SQLite -----------------------------------------------------------------------------------


def test_200_runners_at_once_on_sqlite_each_finish_their_own_workout(tmp_path: Path) -> None:
    db_path = tmp_path / "coach.sqlite3"
    with running_server(SKILL_APP, sqlite_env(db_path), tmp_path / "gunicorn.log") as server:
        runners, elapsed, requests = run_crowd(server)
        check_server_log(server)  # before shutdown, which logs its own [ERROR] lines
    print(f"\nSQLite: {len(runners)} runners, {requests} requests in {elapsed:.1f} s")
    check_records(runners, sqlite_records(db_path))


# ---- DynamoDB (moto_server) -------------------------------------------------------------------


moto = moto_fixture()


def test_200_runners_at_once_on_dynamodb_each_finish_their_own_workout(
    tmp_path: Path, moto: MotoServer
) -> None:
    table = new_table(moto.endpoint)
    env = dynamodb_env(moto.endpoint, table)
    with running_server(SKILL_APP, env, tmp_path / "gunicorn.log") as server:
        runners, elapsed, requests = run_crowd(server)
        check_server_log(server)
    print(f"\nDynamoDB: {len(runners)} runners, {requests} requests in {elapsed:.1f} s")
    check_records(runners, dynamodb_records(moto.endpoint, table))
