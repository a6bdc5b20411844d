"""Benchmark: the Lambda entry point's cold start to the first answer, in fresh interpreters.

A local moto_server stands in for DynamoDB (as in tests/support/moto.py), with the progress
table made the way serverless.yml makes it and one runner mid-workout. Each fresh interpreter
then pays, as a new Lambda container does:

  import    `import skill.lambda_function` (Lambda's init phase),
  build     `build()`, what the first invocation does first: settings, content, the DynamoDB
            client, the skill,
  request   the first invocation: "next set" for that runner, answered through the store
            (one GetItem and one PutItem, over HTTP to the local server),
  total     import + build + request: the cold start to the first answer,
  cpu       the CPU time of `total` (less sensitive to other work on a busy machine),
  process   the whole subprocess, interpreter start-up and exit included.

The runner's item is put back before every run, so every run answers the same turn. A run
whose answer is not the next set (e.g. the storage apology) stops the benchmark.

Run with `.venv/bin/python -m bench.lambda_import [N] [--package] [--snapstart]` (default 15).
Prints medians; nothing is asserted. Needs the dev dependencies (moto[server]).

With --snapstart each interpreter starts as Lambda's SnapStart init does
(AWS_LAMBDA_INITIALIZATION_TYPE=snap-start): the import builds the skill, as before the snapshot,
and `request` is what an environment resumed from that snapshot pays for its first answer, on
top of the restore itself, which only AWS can time.

By default the interpreter is the venv's, on the working tree with its bytecode caches. With
--package it is what Lambda runs: the zip `make package` built, unpacked, and the interpreter
with `-S -E -B` (no site-packages, no PYTHON* variables, nothing written, as on a read-only
/var/task); every module then loads from the bytecode the zip carries, or is compiled.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import botocore.session
import yaml

from skill.coaching.coach import Coach
from skill.coaching.progress import Progress
from skill.content.loader import default_library
from skill.persistence.records import encode
from tests.support.moto import FAKE_AWS_ENV, MotoServer

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RUNS = 15
TABLE = "upper-body-coach-bench-progress"
REGION = "us-east-1"
SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
USER = "amzn1.ask.account.BENCH"
PHASES = ("import", "build", "request", "total", "cpu", "process")
PACKAGE_ZIP = ROOT / ".serverless" / "upper-body-coach.zip"

CHILD = """
import json, sys, time
event = json.loads(sys.argv[1])
c0 = time.process_time()
t0 = time.perf_counter()
import skill.lambda_function as entry
t1 = time.perf_counter()
entry.build()
t2 = time.perf_counter()
response = entry.handler(event, None)
t3 = time.perf_counter()
c3 = time.process_time()
print(json.dumps({
    "import": t1 - t0, "build": t2 - t1, "request": t3 - t2, "total": t3 - t0, "cpu": c3 - c0,
    "speech": response["response"]["outputSpeech"]["ssml"],
}))
"""


def next_set_event() -> dict[str, Any]:
    """A one-shot "Alexa, tell upper body coach next set": the place comes from the table."""
    application = {"applicationId": SKILL_ID}
    user = {"userId": USER}
    return {
        "version": "1.0",
        "session": {
            "new": True,
            "sessionId": "amzn1.echo-api.session.bench",
            "application": application,
            "attributes": {},
            "user": user,
        },
        "context": {
            "System": {
                "application": application,
                "user": user,
                "device": {"deviceId": "amzn1.ask.device.BENCH", "supportedInterfaces": {}},
            }
        },
        "request": {
            "type": "IntentRequest",
            "requestId": "amzn1.echo-api.request.bench",
            "timestamp": "2026-01-27T10:00:00Z",
            "locale": "en-US",
            "dialogState": "COMPLETED",
            "intent": {"name": "NextSetIntent", "confirmationStatus": "NONE", "slots": {}},
        },
    }


def child_env(endpoint: str, snapstart: bool = False) -> dict[str, str]:
    """The settings serverless.yml gives the function, at the local server; fake credentials.
    With `snapstart`, the variable Lambda sets for SnapStart's init."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COACH_", "AWS_", "PYTHON"))}
    env.update({k: v for k, v in FAKE_AWS_ENV.items() if k != "AWS_DEFAULT_REGION"})
    if snapstart:
        env["AWS_LAMBDA_INITIALIZATION_TYPE"] = "snap-start"
    env.update(
        COACH_STORE="dynamodb",
        COACH_DYNAMODB_TABLE=TABLE,
        COACH_DYNAMODB_ENDPOINT=endpoint,
        COACH_AWS_REGION=REGION,
        COACH_SKILL_ID=SKILL_ID,
    )
    return env


def mid_workout_item() -> dict[str, Any]:
    """The stored item of a runner on set 1 of the bodyweight workout's first exercise."""
    progress = Coach(default_library()).start(Progress(), "bodyweight", time.time()).progress
    return {"id": {"S": USER}, "record": {"S": encode({"progress": progress.to_dict()})}}


def create_table(client: Any) -> None:
    config = yaml.safe_load((ROOT / "serverless.yml").read_text())
    properties = config["resources"]["Resources"]["ProgressTable"]["Properties"]
    client.create_table(
        TableName=TABLE,
        AttributeDefinitions=properties["AttributeDefinitions"],
        KeySchema=properties["KeySchema"],
        BillingMode=properties["BillingMode"],
    )
    client.get_waiter("table_exists").wait(TableName=TABLE)


def run_once(env: dict[str, str], event: str, task: Path | None = None) -> dict[str, Any]:
    """One cold start: from the working tree, or from the unpacked package `task`."""
    started = time.perf_counter()
    # -S: not even the venv's site-packages; the package's own folder is all there is.
    interpreter = [sys.executable, *(() if task is None else ("-S", "-E", "-B"))]
    result = subprocess.run(
        [*interpreter, "-c", CHILD, event],
        cwd=ROOT if task is None else task,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    figures["process"] = time.perf_counter() - started
    if "Set 2 of" not in figures["speech"]:
        raise SystemExit(f"the first request was not answered with the next set: {figures}")
    return figures


def main(argv: list[str]) -> None:
    package = "--package" in argv
    snapstart = "--snapstart" in argv
    numbers = [a for a in argv[1:] if a not in ("--package", "--snapstart")]
    runs = int(numbers[0]) if numbers else DEFAULT_RUNS
    event = json.dumps(next_set_event())
    item = mid_workout_item()
    with tempfile.TemporaryDirectory() as scratch:
        task = None
        if package:
            if not PACKAGE_ZIP.is_file():
                raise SystemExit(f"{PACKAGE_ZIP} is missing: run `make package` first")
            task = Path(scratch) / "task"
            with zipfile.ZipFile(PACKAGE_ZIP) as built:
                built.extractall(task)
            if snapstart:  # Lambda's runtime carries it beside the function's own code
                import snapshot_restore_py

                shutil.copy(snapshot_restore_py.__file__, task)
        server = MotoServer(Path(scratch) / "moto_server.log")
        try:
            client = botocore.session.get_session().create_client(
                "dynamodb",
                region_name=REGION,
                endpoint_url=server.endpoint,
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
            )
            create_table(client)
            env = child_env(server.endpoint, snapstart)
            samples = []
            # The first run warms the OS file cache (and, from the tree, writes __pycache__,
            # as the package carries bytecode); it is not counted.
            for _ in range(runs + 1):
                client.put_item(TableName=TABLE, Item=item)
                samples.append(run_once(env, event, task))
            samples = samples[1:]
        finally:
            server.stop()
    where = f"the package {PACKAGE_ZIP.name}" if package else "the working tree"
    if snapstart:
        print(
            f"SnapStart from {where}, median of {runs}: `import` is the init before the snapshot "
            "(the build with it), `request` the first answer of an environment resumed from it "
            "(plus the restore, which only AWS can time):"
        )
    else:
        print(
            f"skill.lambda_function cold start to the first answer from {where}, median of {runs}:"
        )
    for key in PHASES:
        values = [s[key] * 1000 for s in samples]
        print(
            f"  {key:<8}{statistics.median(values):8.1f} ms"
            f"   (min {min(values):.1f}, max {max(values):.1f})"
        )


if __name__ == "__main__":
    main(sys.argv)
