"""AWS Lambda entry point: the same skill the web app serves, built once per container.

serverless.yml names `skill/lambda_function.handler`. Lambda invocations need no request
signature check (the alexaSkill trigger and IAM stand in for it), so nothing here touches Flask,
skill.web or ask_sdk_webservice_support.

The skill comes from `skill.alexa.skill_builder.build_skill`, as in the web app, with the SDK's
serializer: the event is read into a RequestEnvelope, the skill is invoked, and the response
envelope is serialized back to the dict that Lambda returns as JSON.

The skill is built on the first invocation, not at import: importing this module costs only
the standard library, and the build (SDK, content, botocore for the DynamoDB store) runs once
per container and serves every later invocation. `bench/lambda_import.py` measures the import,
the build and the first answer.

Under Lambda SnapStart (serverless.yml) the build is done at import instead, in the init phase
Lambda runs once per published version before it takes the snapshot: every environment resumed
from it starts with the skill built. After a restore, `random` is seeded again, as environments
resumed from one snapshot would otherwise share its state (botocore's retry jitter uses it).
"""

from __future__ import annotations

import gc
import json
import os
import random
import threading
from collections.abc import Callable, Mapping
from typing import Any, cast

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]

_handler: LambdaHandler | None = None
_lock = threading.Lock()


def make_handler(environ: Mapping[str, str] | None = None) -> LambdaHandler:
    """A Lambda handler over a skill built now, with settings from `environ` (COACH_*)."""
    from ask_sdk_model.request_envelope import RequestEnvelope

    from skill.alexa.skill_builder import build_skill
    from skill.config import load_settings
    from skill.persistence import make_store

    settings = load_settings(os.environ if environ is None else environ)
    skill = build_skill(settings, make_store(settings))
    serializer = skill.serializer

    def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
        # As the SDK's own lambda_handler reads an event.
        request_envelope = cast(
            RequestEnvelope, serializer.deserialize(json.dumps(event), RequestEnvelope)
        )
        response_envelope = skill.invoke(request_envelope=request_envelope, context=context)
        # A response envelope always serializes to a dict of plain JSON values.
        return cast(dict[str, Any], serializer.serialize(response_envelope))

    return handle


def build() -> LambdaHandler:
    """The container's handler, built from the environment on the first call (the first
    invocation makes it; `bench/lambda_import.py` calls it to time the build on its own)."""
    global _handler
    # Lambda sends one event at a time per container; the lock only matters to callers that
    # share this module between threads (tests, local tools).
    with _lock:
        if _handler is None:
            # The build leaves ~85,000 objects that live as long as the container. With the
            # cyclic garbage collector on, its passes scan them over and over while they are
            # made; frozen once built, no later pass scans them. A measurable part of a
            # cold start (bench.lambda_import), and the memory used is the same.
            collecting = gc.isenabled()
            gc.disable()
            try:
                _handler = make_handler()
            finally:
                gc.freeze()
                if collecting:
                    gc.enable()
        return _handler


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """What Lambda calls for each Alexa request: the response envelope as a dict."""
    return (_handler or build())(event, context)


def prepare_snapshot() -> None:
    """SnapStart's init: the skill built before the snapshot, and `random` seeded afresh in
    each environment resumed from it. `snapshot_restore_py` comes with Lambda's runtime."""
    from snapshot_restore_py import register_after_restore

    build()
    register_after_restore(random.seed)  # no argument: seeded from os.urandom


if os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") == "snap-start":
    prepare_snapshot()


def reset() -> None:
    """Forget the built skill, so the next invocation reads the environment again (tests)."""
    global _handler
    with _lock:
        _handler = None
        gc.unfreeze()  # what the last build froze may be garbage now
