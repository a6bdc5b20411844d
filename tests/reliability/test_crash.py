"""The server is SIGKILLed mid-workout (every process at once, no shutdown code runs) and started
again on the same SQLite file: every runner picks up at the exact set it was on.

Two ways to die: with every runner between sets (each at its own point, some mid-session, some
after the microphone closed), and in the middle of traffic, with requests in flight. In flight,
a runner's last "next set" may or may not have been saved before the kill, so its record must be
exactly where it was told it was, or exactly one set on; never torn, never another runner's.
Every runner then finishes its workout, and the summary counts every set done before the crash.
"""

from __future__ import annotations

import concurrent.futures
import http.client
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from harness.device import DeviceError, Turn
from tests.support.moto import MotoServer, TcpSwitch, moto_fixture
from tests.support.servers import (
    SKILL_APP,
    Expected,
    Runner,
    RunnerError,
    ServerKind,
    WsgiServer,
    dynamodb_env,
    dynamodb_records,
    free_port,
    new_table,
    running_server,
    shared_model,
    sqlite_env,
    sqlite_records,
    total_sets,
)

pytestmark = pytest.mark.slow

RUNNERS = 40
WORKOUTS = ("bodyweight", "dumbbell")
MODEL = shared_model()
THINK_S = 0.05  # between sets in the traffic test, so runners are mid-workout when it dies
KILL_AFTER_S = 0.8
DEADLINE_S = 60.0


def new_runner(server: WsgiServer, index: int) -> Runner:
    user_id = f"amzn1.ask.account.CRASH-{index:03d}-{uuid.uuid4().hex[:8]}"
    return Runner(server.alexa_url, user_id, model=MODEL, timeout_s=20)


def in_parallel(work: Callable[[int], Any], count: int) -> list[Any]:
    """work(0..count-1) on `count` threads; every failure is reported together."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(work, index) for index in range(count)]
        results, errors = [], []
        for future in futures:
            try:
                results.append(future.result(timeout=DEADLINE_S))
            except Exception as error:
                errors.append(f"{type(error).__name__}: {error}")
    assert not errors, f"{len(errors)} of {count} failed:\n" + "\n".join(errors[:10])
    return results


def finish(runner: Runner) -> None:
    """Carry on to the end of the workout; the summary must count every set done."""
    for _ in range(40):
        if not runner.expected.active:
            return
        runner.next_set()
    raise RunnerError(f"{runner.user_id} did not finish")


def assert_dead(runner: Runner) -> None:
    with pytest.raises(DeviceError):
        runner.device.launch()


class Servers:
    """Starts servers on one port and one database file; `stop_all` stops what still runs."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.db_path = folder / "coach.sqlite3"
        self.started: list[WsgiServer] = []

    def start(self, kind: ServerKind) -> WsgiServer:
        log = self.folder / f"{kind}-{len(self.started)}.log"
        server = WsgiServer(SKILL_APP, sqlite_env(self.db_path), log, kind=kind, port=self.port)
        self.started.append(server)
        return server.start()

    def stop_all(self) -> None:
        for server in self.started:
            server.stop()


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Servers]:
    started = Servers(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()


@pytest.mark.parametrize("kind", ["gunicorn", "waitress"])
def test_sigkill_between_sets_every_runner_resumes_at_its_exact_set(
    servers: Servers, kind: ServerKind
) -> None:
    server = servers.start(kind)

    def to_its_point(index: int) -> Runner:
        runner = new_runner(server, index)
        workout = WORKOUTS[index % 2]
        runner.open()
        runner.start(workout)
        for step in range((index // 2) % total_sets(workout)):  # 0 .. all but the last set
            runner.next_set(one_shot=index % 3 == 0 and step % 2 == 1)
        if index % 5 == 0:
            runner.mic_timeout()  # the microphone closed; nothing is said
        return runner

    runners: list[Runner] = in_parallel(to_its_point, RUNNERS)
    where_they_were = [runner.expected.copy() for runner in runners]
    assert len({(e.workout_id, e.exercise_index, e.set_number) for e in where_they_were}) >= 30

    server.kill()
    assert_dead(runners[0])
    server = servers.start(kind)

    def resume(index: int) -> None:
        runner = runners[index]
        runner.retarget(server.alexa_url)
        runner.where_am_i(one_shot=True)  # "Alexa, ask upper body coach where am i"
        runner.next_set(one_shot=True)  # "Alexa, tell upper body coach next set"
        finish(runner)

    in_parallel(resume, RUNNERS)
    stored = sqlite_records(servers.db_path)
    problems = [p for runner in runners for p in runner.record_problems(stored[runner.user_id])]
    assert not problems, "\n".join(problems)
    assert len(stored) == RUNNERS


def test_sigkill_with_requests_in_flight_loses_nothing_that_was_answered(
    servers: Servers,
) -> None:
    server = servers.start("gunicorn")
    runners = [new_runner(server, index) for index in range(RUNNERS)]
    in_parallel(lambda index: runners[index].start(WORKOUTS[index % 2]), RUNNERS)
    answered: list[Expected] = [runner.expected.copy() for runner in runners]
    interrupted = [False] * RUNNERS
    stop = threading.Event()

    def train(index: int) -> None:
        runner = runners[index]
        while runner.expected.active and not stop.is_set():
            try:
                runner.next_set()
            except (DeviceError, http.client.HTTPException, OSError):
                interrupted[index] = True  # the server died under this request (or before it)
                return
            answered[index] = runner.expected.copy()
            time.sleep(THINK_S)

    threads = [threading.Thread(target=train, args=(i,), daemon=True) for i in range(RUNNERS)]
    for thread in threads:
        thread.start()
    time.sleep(KILL_AFTER_S)
    server.kill()
    # Runners between sets when it died try their next set and find it dead too; stopping them
    # at once could leave none that noticed, if no request happened to be in flight.
    time.sleep(THINK_S * 4)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    assert any(interrupted), "the kill came after every runner had finished"
    assert sum(e.active for e in answered) > RUNNERS // 2, "too few runners were mid-workout"

    stored = sqlite_records(servers.db_path)  # read with the server dead: nothing is torn
    assert sorted(stored) == sorted(runner.user_id for runner in runners)
    saved_unanswered = 0
    for index, runner in enumerate(runners):
        told = answered[index]
        candidates = [told]
        if interrupted[index] and told.active:
            candidates.append(told.after_next_set())  # saved, but the answer never arrived
        matching = [e for e in candidates if not runner.record_problems(stored[runner.user_id], e)]
        assert matching, runner.record_problems(stored[runner.user_id], told)
        runner.expected = matching[0]
        saved_unanswered += matching[0] is not told
    print(
        f"\nkilled with {sum(interrupted)} runners interrupted, {sum(e.active for e in answered)}"
        f" mid-workout; {saved_unanswered} last sets saved but never answered"
    )

    server = servers.start("gunicorn")

    def resume(index: int) -> None:
        runner = runners[index]
        runner.retarget(server.alexa_url)
        if runner.expected.active:
            runner.where_am_i(one_shot=True)
            finish(runner)

    in_parallel(resume, RUNNERS)
    stored = sqlite_records(servers.db_path)
    problems = [p for runner in runners for p in runner.record_problems(stored[runner.user_id])]
    assert not problems, "\n".join(problems)


# ---- the progress store goes away (DynamoDB behind a switch) -----------------------------------

STORAGE_DOWN = "can't reach your saved workouts"
ALEXA_BUDGET_S = 8.0  # Alexa waits about this long for an answer


moto = moto_fixture()


@pytest.fixture
def switch(moto: MotoServer) -> Iterator[TcpSwitch]:
    """moto behind a TCP switch: down() refuses connections, up() restores them, data kept
    (moto keeps tables in memory, so stopping its process would lose every record)."""
    proxy = TcpSwitch(moto.port)
    try:
        yield proxy
    finally:
        proxy.close()


def apology(runner: Runner, send: Callable[[], Turn]) -> Turn:
    """Whatever the runner says while the store is away: a quick, short apology (no 5xx)."""
    began = time.monotonic()
    turn = send()
    took = time.monotonic() - began
    runner.check(turn, STORAGE_DOWN)  # HTTP 200 with the short apology
    assert turn.status == 200 and not turn.session_open
    assert took < ALEXA_BUDGET_S / 2, f"the apology took {took:.1f} s"
    return turn


def test_storage_down_mid_workout_apologises_then_resumes_at_the_right_set(
    tmp_path: Path, moto: MotoServer, switch: TcpSwitch
) -> None:
    table = new_table(moto.endpoint)
    env = dynamodb_env(switch.endpoint, table)
    with running_server(SKILL_APP, env, tmp_path / "gunicorn.log") as server:
        runners = [new_runner(server, index) for index in range(6)]
        for index, runner in enumerate(runners):
            runner.open()
            runner.start(WORKOUTS[index % 2])
            for _ in range(2 + 3 * index):
                runner.next_set()
        before = [runner.expected.copy() for runner in runners]

        switch.down()
        for runner in runners:
            assert runner.device.session_open
            say = runner.device.intent
            apology(runner, partial(say, "NextSetIntent"))  # in session
            apology(runner, runner.device.launch)  # "Alexa, open upper body coach"
            apology(runner, partial(say, "NextSetIntent", one_shot=True))  # "tell ... next set"
            apology(runner, partial(say, "StatusIntent", one_shot=True))
        log = server.log_tail(20000)
        switch.up()

        for runner, told in zip(runners, before, strict=True):
            assert runner.expected == told  # nothing moved while the store was away
            runner.where_am_i(one_shot=True)
            runner.next_set(one_shot=True)
            finish(runner)
        stored = dynamodb_records(moto.endpoint, table)
    problems = [p for runner in runners for p in runner.record_problems(stored[runner.user_id])]
    assert not problems, "\n".join(problems)
    assert "Traceback" not in log and "progress store unavailable" in log


def test_a_session_ending_while_storage_is_down_gets_no_speech(
    tmp_path: Path, moto: MotoServer, switch: TcpSwitch
) -> None:
    env = dynamodb_env(switch.endpoint, new_table(moto.endpoint))
    with running_server(SKILL_APP, env, tmp_path / "gunicorn.log") as server:
        runner = new_runner(server, 0)
        runner.open()
        runner.start("dumbbell")
        switch.down()
        runner.mic_timeout()  # DeviceError if the SessionEndedRequest is answered with speech
