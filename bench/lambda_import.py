"""Benchmark: the cold start of the Lambda entry point, in fresh interpreters.

Prints the median over N subprocesses of
  import   `import skill.lambda_function` (what Lambda's init phase pays),
  build    the first invocation's one-off work: load settings, content and the DynamoDB store
           (boto3), assemble the skill (no request is sent, so no server is needed),
  process  the whole subprocess, interpreter start-up included.

Run with `.venv/bin/python -m bench.lambda_import [N]` (default 15). Nothing is asserted.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RUNS = 15

CHILD = """
import json, time
t0 = time.perf_counter()
import skill.lambda_function as entry
t1 = time.perf_counter()
entry.make_handler()
t2 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "build": t2 - t1}))
"""


def child_env() -> dict[str, str]:
    """The settings serverless.yml gives the function; fake credentials, never used."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COACH_", "AWS_"))}
    env.update(
        COACH_STORE="dynamodb",
        COACH_DYNAMODB_TABLE="upper-body-coach-dev-progress",
        COACH_DYNAMODB_ENDPOINT="http://127.0.0.1:9",  # never contacted: nothing is invoked
        COACH_AWS_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    return env


def run_once(env: dict[str, str]) -> dict[str, float]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", CHILD],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, float] = json.loads(result.stdout)
    figures["process"] = time.perf_counter() - started
    return figures


def main(argv: list[str]) -> None:
    runs = int(argv[1]) if len(argv) > 1 else DEFAULT_RUNS
    env = child_env()
    run_once(env)  # warm the OS file cache and write __pycache__, as a deployed zip has them
    samples = [run_once(env) for _ in range(runs)]
    print(f"skill.lambda_function cold start, median of {runs} fresh interpreters:")
    for key in ("import", "build", "process"):
        values = [s[key] * 1000 for s in samples]
        print(
            f"  {key:<8}{statistics.median(values):8.1f} ms"
            f"   (min {min(values):.1f}, max {max(values):.1f})"
        )


if __name__ == "__main__":
    main(sys.argv)
