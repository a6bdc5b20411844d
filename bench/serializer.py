"""Benchmark: what FastSerializer saves on a warm Lambda turn, against the SDK's own serializer.

The Lambda handler answers "next set" for one runner mid-workout, through DynamoDB (a local
moto_server, as in bench/lambda_import.py); the runner's item is put back before each turn (not
timed). The same skill answers with each serializer in turn, interleaved in rounds so that a busy
machine slows both alike; printed are the median turn with each, and the share FastSerializer
saves. Issue 17's rule: keep it only if that share is at least 20%.

Run with `.venv/bin/python -m bench.serializer [TURNS]` (default 300 per serializer). Prints
medians; nothing is asserted.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import botocore.session
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model.request_envelope import RequestEnvelope

from bench.lambda_import import (
    REGION,
    TABLE,
    child_env,
    create_table,
    mid_workout_item,
    next_set_event,
)
from skill.alexa.serializer import FastSerializer
from skill.alexa.skill_builder import build_skill
from skill.config import load_settings
from skill.persistence import make_store
from tests.support.moto import MotoServer

ROUNDS = 10


def turn_seconds(skill: Any, serializer: Any, event: dict[str, Any], reset: Any) -> float:
    reset()
    started = time.perf_counter()
    if isinstance(serializer, FastSerializer):  # reads the dict Lambda parsed
        envelope = serializer.deserialize_object(event, RequestEnvelope)
    else:  # as the SDK's own lambda_handler does
        envelope = serializer.deserialize(json.dumps(event), RequestEnvelope)
    answer = serializer.serialize(skill.invoke(request_envelope=envelope, context=None))
    elapsed = time.perf_counter() - started
    if "Set 2 of" not in json.dumps(answer):
        raise SystemExit(f"the turn was not answered with the next set: {answer}")
    return elapsed


def main(argv: list[str]) -> None:
    turns = int(argv[1]) if len(argv) > 1 else 300
    event, item = next_set_event(), mid_workout_item()
    with tempfile.TemporaryDirectory() as scratch:
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
            os.environ.update(child_env(server.endpoint))
            settings = load_settings(os.environ)
            skill = build_skill(settings, make_store(settings))

            def reset() -> None:
                client.put_item(TableName=TABLE, Item=item)

            serializers = {"FastSerializer": FastSerializer(), "the SDK's": DefaultSerializer()}
            times: dict[str, list[float]] = {name: [] for name in serializers}
            for serializer in serializers.values():  # warm both
                for _ in range(20):
                    turn_seconds(skill, serializer, event, reset)
            for _ in range(ROUNDS):
                for name, serializer in serializers.items():
                    times[name].extend(
                        turn_seconds(skill, serializer, event, reset)
                        for _ in range(turns // ROUNDS)
                    )
        finally:
            server.stop()
    fast = statistics.median(times["FastSerializer"]) * 1000
    sdk = statistics.median(times["the SDK's"]) * 1000
    print(f'A warm Lambda turn ("next set" through DynamoDB local), median of {turns}:')
    print(f"  with FastSerializer       {fast:6.2f} ms")
    print(f"  with the SDK's serializer {sdk:6.2f} ms")
    print(f"  FastSerializer saves {(sdk - fast) / sdk:.1%} of the turn (keep it at 20% or more)")


if __name__ == "__main__":
    main(sys.argv)
