"""The skill behind a real WSGI server process on 127.0.0.1, and runners that check every answer.

`WsgiServer` starts gunicorn (several worker processes), waitress (threads) or the shipped
production server (`make serve`: skill.serve) in its own process group on a free port, waits
until `GET /` answers, and stops it (SIGTERM, then SIGKILL) or kills it outright (`kill()`:
SIGKILL to the whole group, as a crash or an OOM kill would). Use it as a context manager so a
server never outlives its test.

The stores behind it: `sqlite_env`/`dynamodb_env` configure the skill on either store (with
request verification off), `new_table` makes a progress table as serverless.yml defines it (on
moto_server), and `sqlite_records`/`dynamodb_records` read back every runner's record.

`Runner` is one simulated runner: a harness `Device` over HTTP with its own user id, which
works out from the workout content alone what the coach must say next (the set, the rest, the
next exercise, the summary) and raises `RunnerError` the moment an answer differs. Because each
runner keeps its own expectation, an answer meant for another runner, or a lost save, shows up
as a wrong set straight away; `Runner.record_problems` then checks the stored record.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import boto3
import yaml

from harness.device import Device, HttpTransport, Turn
from harness.interaction_model import InteractionModel, load_model
from skill.content.loader import default_library
from skill.content.models import Exercise, WorkoutPlan
from skill.persistence import decode
from skill.persistence.dynamodb_store import HEALTH_KEY
from tests.support import REPO_ROOT
from tests.support.moto import FAKE_AWS_ENV, create_progress_table

HOST = "127.0.0.1"
ROOT = REPO_ROOT
SKILL_APP = "skill.app:create_app()"
DEFAULT_WORKERS = 4
ServerKind = Literal["gunicorn", "waitress", "serve"]  # "serve": the shipped `make serve`


def free_port() -> int:
    """A port nothing listens on right now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def clean_environ(extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without any COACH_* variable, plus `extra`."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("COACH_")}
    env.update(extra)
    return env


def sqlite_env(db_path: Path) -> dict[str, str]:
    """Settings for the skill on SQLite with request verification off (local testing only)."""
    return {"COACH_VERIFY_REQUESTS": "0", "COACH_STORE": "sqlite", "COACH_DB_PATH": str(db_path)}


class WsgiServer:
    """A WSGI server process serving `app` ("module:factory()") on 127.0.0.1."""

    def __init__(
        self,
        app: str,
        env: Mapping[str, str],
        log_path: Path,
        *,
        kind: ServerKind = "gunicorn",
        workers: int = DEFAULT_WORKERS,
        port: int | None = None,
        start_timeout_s: float = 60.0,
    ) -> None:
        self.app = app
        self.kind = kind
        self.workers = workers
        self.port = port or free_port()
        self.base_url = f"http://{HOST}:{self.port}"
        self.log_path = log_path
        self._env = clean_environ(env)
        if kind == "serve":  # skill.serve reads where to listen from the environment
            self._env.update(BIND_ADDRESS=HOST, PORT=str(self.port))
        self._process: subprocess.Popen[bytes] | None = None
        self._start_timeout_s = start_timeout_s

    @property
    def alexa_url(self) -> str:
        return f"{self.base_url}/alexa"

    def command(self) -> list[str]:
        if self.kind == "serve":  # what `make serve` runs, with every setting its own
            return [sys.executable, "-m", "skill.serve", self.app]
        if self.kind == "gunicorn":
            return [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"{HOST}:{self.port}",
                "--workers",
                str(self.workers),
                "--worker-class",
                "sync",
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
                "--backlog",
                "2048",
                "--log-level",
                "warning",
                self.app,
            ]
        module, _, factory = self.app.partition(":")
        return [
            sys.executable,
            "-m",
            "waitress",
            "--listen",
            f"{HOST}:{self.port}",
            f"--threads={4 * self.workers}",
            "--backlog=2048",
            "--connection-limit=1000",
            "--call",
            f"{module}:{factory.removesuffix('()')}",
        ]

    def start(self) -> WsgiServer:
        if self.running:
            raise RuntimeError("the server is already running")
        with self.log_path.open("ab") as log:
            # Its own session (and so process group): kill() reaches the workers too.
            self._process = subprocess.Popen(
                self.command(),
                cwd=ROOT,
                env=self._env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self._wait_healthy()
        except BaseException:
            self.kill()
            raise
        return self

    @property
    def pid(self) -> int:
        """The server's main process, which also leads its process group."""
        if self._process is None:
            raise RuntimeError("the server is not running")
        return self._process.pid

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self._start_timeout_s
        while time.monotonic() < deadline:
            if not self.running:
                raise RuntimeError(f"{self.kind} exited while starting:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base_url + "/", timeout=2) as response:
                    if json.loads(response.read()).get("status") == "ok":
                        return
            except (OSError, ValueError):
                time.sleep(0.1)
        raise RuntimeError(f"{self.kind} did not answer within {self._start_timeout_s} s")

    def _signal_group(self, signum: int) -> None:
        if self._process is None:
            return
        try:
            os.killpg(self._process.pid, signum)  # the group this server leads, nothing else
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        """SIGKILL the server and all its workers at once: no shutdown code runs."""
        if self._process is None:
            return
        self._signal_group(signal.SIGKILL)
        self._process.wait(timeout=10)
        self._process = None

    def stop(self) -> None:
        """Shut down gracefully; SIGKILL whatever is left after a few seconds."""
        if self._process is None:
            return
        self._signal_group(signal.SIGTERM)
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        # Workers that outlived their master still hold the port: the group goes too.
        self._signal_group(signal.SIGKILL)
        self._process.wait(timeout=10)
        self._process = None

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def __enter__(self) -> WsgiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextmanager
def running_server(
    app: str, env: Mapping[str, str], log_path: Path, **options: Any
) -> Iterator[WsgiServer]:
    """A started server, always stopped afterwards (even when the test fails)."""
    server = WsgiServer(app, env, log_path, **options)
    try:
        yield server.start()
    finally:
        server.stop()


# ---- the stores behind them ---------------------------------------------------------------

REGION = "us-east-1"


def sqlite_records(path: Path) -> dict[str, dict[str, Any]]:
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute("SELECT user_id, record FROM progress").fetchall()
    return {user_id: decode(text) for user_id, text in rows}


def progress_table_properties() -> dict[str, Any]:
    """The progress table as serverless.yml defines it for CloudFormation."""
    config = yaml.safe_load((ROOT / "serverless.yml").read_text())
    properties: dict[str, Any] = config["resources"]["Resources"]["ProgressTable"]["Properties"]
    return properties


def dynamodb_resource(endpoint: str) -> Any:
    return boto3.session.Session(
        aws_access_key_id=FAKE_AWS_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_AWS_ENV["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=FAKE_AWS_ENV["AWS_SESSION_TOKEN"],
        region_name=REGION,
    ).resource("dynamodb", endpoint_url=endpoint)


def new_table(endpoint: str) -> str:
    name = f"load-{uuid.uuid4().hex[:12]}"
    create_progress_table(dynamodb_resource(endpoint), name, progress_table_properties())
    return name


def dynamodb_env(endpoint: str, table: str) -> dict[str, str]:
    return {
        **FAKE_AWS_ENV,
        "COACH_VERIFY_REQUESTS": "0",
        "COACH_STORE": "dynamodb",
        "COACH_DYNAMODB_TABLE": table,
        "COACH_DYNAMODB_ENDPOINT": endpoint,
        "COACH_AWS_REGION": REGION,
    }


def dynamodb_records(endpoint: str, table: str) -> dict[str, dict[str, Any]]:
    items: list[dict[str, Any]] = []
    scan: dict[str, Any] = {"ConsistentRead": True}
    handle = dynamodb_resource(endpoint).Table(table)
    while True:
        page = handle.scan(**scan)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            break
        scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    # Every item but the one the health check writes (GET /, which servers are polled on).
    runners = [item for item in items if item["id"] != HEALTH_KEY]
    return {str(item["id"]): decode(str(item["record"])) for item in runners}


STEP_UP_OFFERED = "Last two times you did every set of"


# ---- simulated runners --------------------------------------------------------------------


class RunnerError(AssertionError):
    """A runner heard something other than what its own progress calls for."""


def workout_plan(workout_id: str) -> WorkoutPlan:
    plan = default_library().get(workout_id)
    if plan is None:
        raise KeyError(workout_id)
    return plan


def total_sets(workout_id: str) -> int:
    return sum(exercise.sets for exercise in workout_plan(workout_id).exercises)


@dataclass
class Expected:
    """Where a runner must be, kept by the runner itself from what it asked for."""

    workout_id: str | None = None
    exercise_index: int = 0
    set_number: int = 1
    sets_by_exercise: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    finished: bool = False
    rest_seconds: int | None = None

    @property
    def sets_done(self) -> int:
        return sum(self.sets_by_exercise)

    @property
    def sets_of_current(self) -> int:
        counts = self.sets_by_exercise
        return counts[self.exercise_index] if self.exercise_index < len(counts) else 0

    @property
    def exercises_done(self) -> int:
        return sum(1 for count in self.sets_by_exercise if count > 0)

    def count_a_set(self) -> None:
        counts = self.sets_by_exercise
        counts.extend([0] * (self.exercise_index + 1 - len(counts)))
        counts[self.exercise_index] += 1

    @property
    def plan(self) -> WorkoutPlan:
        assert self.workout_id is not None
        return workout_plan(self.workout_id)

    @property
    def exercise(self) -> Exercise:
        return self.plan.exercises[self.exercise_index]

    @property
    def active(self) -> bool:
        return self.workout_id is not None and not self.finished

    def where(self) -> str:
        """The status line ("where am i") for this position."""
        plan, exercise = self.plan, self.exercise
        return (
            f"You're on {exercise.name}, exercise {self.exercise_index + 1} of"
            f" {len(plan.exercises)}, set {self.set_number} of {exercise.sets}."
        )

    def copy(self) -> Expected:
        return replace(
            self, skipped=list(self.skipped), sets_by_exercise=list(self.sets_by_exercise)
        )

    def after_next_set(self) -> Expected:
        """Where "next set" takes the runner from here (a copy; this one is unchanged)."""
        after = self.copy()
        after.count_a_set()
        if self.set_number < self.exercise.sets:
            after.set_number += 1
        elif self.exercise_index + 1 < len(self.plan.exercises):
            after.exercise_index, after.set_number = self.exercise_index + 1, 1
        else:
            after.finished = True
        return after


class Runner:
    """One runner with its own user id, checking every answer against its own expectation."""

    def __init__(
        self,
        url: str,
        user_id: str,
        *,
        model: InteractionModel | None = None,
        timeout_s: float = 30.0,
    ) -> None:
        self.user_id = user_id
        self.device = Device(HttpTransport(url, timeout=timeout_s), model, user_id=user_id)
        self.expected = Expected()
        self.turns = 0
        self.explained: set[str] = set()  # exercises the skill has introduced to this runner
        # The rest lengths chosen: the last, how many times in a row, and the one kept.
        self.rest_chosen: int | None = None
        self.rest_times = 0
        self.kept_rest: int | None = None

    def retarget(self, url: str, timeout_s: float = 30.0) -> None:
        """Talk to another server (e.g. the restarted one); any open session is forgotten."""
        self.device.transport = HttpTransport(url, timeout=timeout_s)
        self.device.session = None

    # -- what the runner says ---------------------------------------------------------------

    def open(self) -> Turn:
        turn = self.check(self.device.launch(), "Welcome")
        return turn

    def set_rest(self, seconds: int, *, one_shot: bool = False) -> Turn:
        turn = self._send("SetRestIntent", {"seconds": str(seconds)}, one_shot)
        self.expected.rest_seconds = seconds
        # The same length chosen twice in a row is kept for every workout (docs/preferences.md),
        # and the coach says so when it makes a new length last.
        before = self.kept_rest
        self.rest_times = self.rest_times + 1 if self.rest_chosen == seconds else 1
        self.rest_chosen = seconds
        if self.rest_times >= 2:
            self.kept_rest = seconds
        if self.expected.active:
            return self.check(turn, f"Your rests are now {seconds} seconds")
        if self.kept_rest != before:
            return self.check(turn, f"Every workout you start will have rests of {seconds} seconds")
        # With no workout under way, the rest is for the next workout started.
        return self.check(turn, f"Your rests will be {seconds} seconds in the next workout")

    def start(self, workout_id: str, *, one_shot: bool = False) -> Turn:
        turn = self._send("StartWorkoutIntent", {"workout": workout_id}, one_shot)
        # A rest chosen with no workout under way is for this one.
        rest = None if self.expected.active else self.expected.rest_seconds
        self.expected = Expected(workout_id=workout_id, rest_seconds=rest)
        self.check(turn, f"Let's do the {self.expected.plan.name}:", "Warm-up, part 1 of")
        # The led warm-up is skipped: these runners test the sets and the saved place.
        skipped = self._send("SkipWarmUpIntent", None, False)
        return self._first_set(self.check(skipped, "Skipping the warm-up."), self.expected)

    def next_set(self, *, one_shot: bool = False) -> Turn:
        before = self.expected
        if not before.active:
            raise RunnerError(f"{self.user_id}: next set with no active workout")
        turn = self._send("NextSetIntent", None, one_shot)
        self.expected = after = before.after_next_set()
        rest = before.rest_seconds or before.exercise.rest_seconds
        if after.finished:
            return self._finish(turn)
        if after.exercise_index == before.exercise_index:
            return self.check(
                turn, f"Rest {rest} seconds.", f"Set {after.set_number} of {after.exercise.sets}."
            )
        return self._first_set(self.check(turn, f"Rest {rest} seconds."), after)

    def skip(self, *, one_shot: bool = False) -> Turn:
        e = self.expected
        plan, exercise = e.plan, e.exercise
        if e.set_number == exercise.sets:  # on the last set: it counts, as "next set" would
            self.expected = e.after_next_set()
            turn = self._send("SkipExerciseIntent", None, one_shot)
            if self.expected.finished:
                return self._finish(turn)
            after = self.expected
            return self._first_set(turn, after)
        turn = self._send("SkipExerciseIntent", None, one_shot)
        if exercise.id not in e.skipped:  # kept even when part of it was done: "cut short"
            e.skipped.append(exercise.id)
        self.check(turn, f"Skipping {exercise.name}.")
        if e.exercise_index + 1 < len(plan.exercises):
            e.exercise_index, e.set_number = e.exercise_index + 1, 1
            return self._first_set(turn, e)
        return self._finish(turn)

    def where_am_i(self, *, one_shot: bool = False) -> Turn:
        turn = self._send("StatusIntent", None, one_shot)
        return self.check(turn, self.expected.where())

    def mic_timeout(self) -> None:
        self.device.mic_timeout()

    # -- checks ------------------------------------------------------------------------------

    def _first_set(self, turn: Turn, e: Expected) -> Turn:
        """`e`'s exercise introduced and its first set called. After two workouts with every set
        of it done, a step up is offered first (skill.coaching.progression): declined, and then
        the set is called as it was."""
        self.check(turn, self.introduction(e))
        if STEP_UP_OFFERED in turn.speech_text:
            declined = self._send("AMAZON.NoIntent", None, False)
            return self.check(declined, f", set 1 of {e.exercise.sets}: ")
        return self.check(turn, f"Set 1 of {e.exercise.sets}:")

    def introduction(self, e: Expected) -> str:
        """How the skill introduces `e`'s exercise: in full the first time this runner meets
        it, then as a one-line reminder in every later workout; from now on it is met."""
        exercise = e.exercise
        line = f"Exercise {e.exercise_index + 1} of {len(e.plan.exercises)}: {exercise.name}"
        if exercise.id in self.explained:
            return f"{line}, which you've done before."
        self.explained.add(exercise.id)
        return f"{line}."

    def _finish(self, turn: Turn) -> Turn:
        e = self.expected
        e.finished = True
        e.rest_seconds = None  # a rest change lasts until its workout ends
        plan = e.plan
        exercise_word = "exercise" if e.exercises_done == 1 else "exercises"
        set_word = "set" if e.sets_done == 1 else "sets"
        self.check(
            turn,
            f"You've finished the {plan.name}: {e.exercises_done} {exercise_word} and"
            f" {e.sets_done} {set_word} in",
        )
        if turn.session_open:  # the cool-down is offered: declined
            self.check(turn, "cool-down?")
            turn = self.check(self._send("AMAZON.NoIntent", None, False), "No problem.")
        if turn.session_open:  # from the second workout on, once: a reminder offered: declined
            self.check(turn, "Shall I remind you")
            turn = self._send("AMAZON.NoIntent", None, False)
        if turn.session_open:
            raise RunnerError(f"{self.user_id}: the session stayed open after the workout ended")
        return turn

    def _send(self, intent: str, slots: Mapping[str, str] | None, one_shot: bool) -> Turn:
        self.turns += 1
        return self.device.intent(intent, slots, one_shot=one_shot or not self.device.session_open)

    def check(self, turn: Turn, *phrases: str) -> Turn:
        missing = [phrase for phrase in phrases if phrase not in turn.speech_text]
        if turn.status != 200 or missing:
            raise RunnerError(
                f"{self.user_id} expected {missing} (HTTP {turn.status}) after"
                f" {turn.intent or turn.request_type}; heard: {turn.speech_text[:600]!r}"
            )
        return turn

    def record_problems(
        self, attributes: Mapping[str, Any], expected: Expected | None = None
    ) -> list[str]:
        """How the stored attributes differ from `expected` (by default this runner's own
        progress); empty when they match."""
        e = self.expected if expected is None else expected
        progress = attributes.get("progress")
        if not isinstance(progress, dict):
            return [f"{self.user_id}: no stored progress: {attributes!r}"]
        stored_sets = progress.get("sets_by_exercise")
        wanted_sets = [*e.sets_by_exercise]
        if isinstance(stored_sets, list) and len(stored_sets) > len(wanted_sets):
            wanted_sets += [0] * (len(stored_sets) - len(wanted_sets))
        wanted = {
            "workout_id": e.workout_id,
            "exercise_index": e.exercise_index,
            "set_number": e.set_number,
            "sets_by_exercise": wanted_sets,
            "skipped": e.skipped,
            "finished": e.finished,
            "rest_seconds": e.rest_seconds,
            "paused": False,
        }
        return [
            f"{self.user_id}: stored {name}={progress.get(name)!r}, expected {value!r}"
            for name, value in wanted.items()
            if progress.get(name) != value
        ]


def shared_model() -> InteractionModel:
    """The interaction model, loaded once and shared read-only by every runner."""
    return load_model()


# ---- what each simulated runner does (the load test and bench.soak) ----------------------

WORKOUTS = ("bodyweight", "dumbbell")


@dataclass(frozen=True)
class Plan:
    """What runner `index` does; (workout, rest) differs between any two of the first 212."""

    index: int
    workout: str
    rest_seconds: int
    skip_at: int | None  # the exercise (0-based) skipped at its first set, if any
    one_shots: bool  # lets the microphone close now and then, and comes back with a one-shot

    @classmethod
    def for_runner(cls, index: int) -> Plan:
        return cls(
            index=index,
            workout=WORKOUTS[index % 2],
            rest_seconds=15 + (index // 2) % 106,  # 15..120 s, the range a runner may choose
            skip_at=None if index % 4 == 0 else index % 6,
            one_shots=index % 3 == 0,
        )


def take_a_step(runner: Runner, plan: Plan, step: int) -> None:
    """The runner's `step`th turn mid-workout: its skip, "where am i" now and then, a one-shot
    after the microphone closed, or "next set"."""
    here = runner.expected
    if plan.skip_at == here.exercise_index and here.set_number == 1 and not here.skipped:
        runner.skip()
    elif step % 9 == 0:
        runner.where_am_i()
    elif plan.one_shots and step % 4 == 0:
        runner.mic_timeout()  # SessionEndedRequest; then "Alexa, tell ... next set"
        runner.next_set(one_shot=True)
    else:
        runner.next_set()
