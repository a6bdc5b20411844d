"""AWS Lambda entry point: the same skill the web app serves, behind the SDK's lambda_handler().

serverless.yml names `skill/lambda_function.handler`. Lambda invocations need no request
signature check (the alexaSkill trigger and IAM stand in for it), so nothing here touches Flask,
skill.web or ask_sdk_webservice_support.

The skill is built on the first invocation, not at import: importing this module costs only
the standard library, and the build (SDK, content, boto3 for the DynamoDB store) runs once per
container and is reused by every later invocation. `bench/lambda_import.py` measures both.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from typing import Any, cast

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]

_handler: LambdaHandler | None = None
_lock = threading.Lock()


def make_handler(environ: Mapping[str, str] | None = None) -> LambdaHandler:
    """A Lambda handler over a freshly built skill, with settings from `environ` (COACH_*)."""
    from skill.alexa.skill_builder import build_skill_builder
    from skill.config import load_settings
    from skill.persistence import make_persistence_adapter

    settings = load_settings(os.environ if environ is None else environ)
    builder = build_skill_builder(settings, make_persistence_adapter(settings))
    # The SDK annotates the event as str; Lambda passes the parsed JSON object, which is what
    # the wrapper actually serializes back into a RequestEnvelope.
    return cast(LambdaHandler, builder.lambda_handler())


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """What Lambda calls for each Alexa request: the response envelope as a dict."""
    global _handler
    if _handler is None:
        # Lambda sends one event at a time per container; the lock only matters to callers
        # that share this module between threads (tests, local tools).
        with _lock:
            if _handler is None:
                _handler = make_handler()
    return _handler(event, context)


def reset() -> None:
    """Forget the built skill, so the next invocation reads the environment again (tests)."""
    global _handler
    with _lock:
        _handler = None
