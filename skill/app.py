"""Flask app factory: the skill as a web service at POST /alexa (and its audio at GET /audio/).

Run it with `flask --app 'skill.app:create_app()' run`. Settings come from `skill.config`:
defaults, then COACH_* environment variables, then `test_config` entries named COACH_<FIELD>.
"""

from __future__ import annotations

import json
import logging
import math
import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.serialize import Serializer
from ask_sdk_model import RequestEnvelope
from flask import Flask, Response, abort, current_app, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as WerkzeugResponse

from skill.alexa.skill_builder import (
    CoachSkill,
    OtherSkillRequest,
    build_service,
    build_skill,
)
from skill.config import ENV_PREFIX, Settings, load_settings
from skill.persistence import RecordStore, StoreUnhealthy, make_store
from skill.persistence.health import StoreHealth
from skill.web import RequestCheck, RequestRefused
from skill.web.audio import audio_blueprint

logger = logging.getLogger(__name__)

EXTENSION_KEY = "upper_body_coach"
# test_config entries that are not Settings fields:
CERT_CHAINS_KEY = "COACH_CERT_CHAINS"  # {cert URL: PEM chain}, served instead of fetching
STORE_OBJECT_KEY = "COACH_STORE_OBJECT"  # a RecordStore, instead of the configured one
CLOCK_KEY = "COACH_CLOCK"  # the coach's clock (epoch seconds), instead of time.time

MAX_JSON_DEPTH = 64  # Alexa's envelopes nest about 8 deep; deeper bodies are not from Alexa

VERIFICATION_OFF_BANNER = "\n".join(
    ["", "!" * 64, "!!  REQUEST VERIFICATION IS OFF — local testing only", "!" * 64, ""]
)


@dataclass(frozen=True)
class AlexaEndpoint:
    """What the views need, built once per app: the one place the app keeps its settings."""

    settings: Settings
    skill: CoachSkill
    store: RecordStore
    serializer: Serializer
    check: RequestCheck | None  # verifies each request before dispatch; None when off
    health: StoreHealth  # what GET / reports


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app and the skill once. `test_config` entries named COACH_<FIELD> override
    Settings; COACH_CERT_CHAINS, COACH_STORE_OBJECT and COACH_CLOCK inject fakes; the
    rest is Flask config (e.g. TESTING)."""
    config = dict(test_config or {})
    cert_chains: Mapping[str, bytes] | None = config.pop(CERT_CHAINS_KEY, None)
    store: RecordStore | None = config.pop(STORE_OBJECT_KEY, None)
    clock: Callable[[], float] = config.pop(CLOCK_KEY, time.time)
    overrides = {
        key.removeprefix(ENV_PREFIX).lower(): config.pop(key)
        for key in [key for key in config if key.startswith(ENV_PREFIX)]
    }
    settings = load_settings(os.environ, overrides=overrides)
    if store is None:
        store = make_store(settings)

    app = Flask(__name__, static_folder=None)  # a JSON API: no static files
    app.config.from_mapping(config)

    skill = build_skill(settings, store, build_service(clock=clock))
    serializer = skill.serializer  # the SDK's own
    check: RequestCheck | None = None
    if settings.verify_requests:
        # Imported only here: its certificate libraries are slow to import.
        from skill.web.verification import make_request_check

        check = make_request_check(settings, cert_chains=cert_chains)
    health = StoreHealth(store, lambda: skill.store_failures.total)
    app.extensions[EXTENSION_KEY] = AlexaEndpoint(settings, skill, store, serializer, check, health)
    if not settings.verify_requests:
        logger.warning("Request verification is off: local testing only")
        print(VERIFICATION_OFF_BANNER, file=sys.stderr)

    app.register_error_handler(HTTPException, _http_error_as_json)
    app.add_url_rule("/", "health", _health, methods=["GET"])
    app.add_url_rule("/alexa", "alexa", _alexa, methods=["POST"])
    app.register_blueprint(audio_blueprint(settings.audio_dir))
    return app


def _service() -> AlexaEndpoint:
    return cast(AlexaEndpoint, current_app.extensions[EXTENSION_KEY])


def _error(status: int, message: str) -> tuple[Response, int]:
    return jsonify(error=message), status


def _http_error_as_json(exc: HTTPException) -> WerkzeugResponse:
    response = exc.get_response()  # keeps headers such as Allow on a 405
    response.set_data(json.dumps({"error": exc.name}))
    response.content_type = "application/json"
    return response


def _health() -> tuple[Response, int]:
    """200 when the skill can serve turns; 503, saying why, when its store cannot (unreachable,
    read-only, its file deleted), so a load balancer or monitor sees what runners would hear."""
    service = _service()
    try:
        service.health.check()
    except StoreUnhealthy as problem:
        logger.error("Health check: the progress store cannot serve turns: %s", problem)
        status, store, code = "unavailable", problem.state, 503
    else:
        status, store, code = "ok", "ok", 200
    settings = service.settings
    body = jsonify(
        status=status,
        service="upper-body-coach",
        store=store,
        verify_requests=settings.verify_requests,
        skill_id_check=settings.skill_id is not None,
    )
    return body, code


def _field(obj: Any, *path: str) -> Any:
    for key in path:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj


def _is_request_envelope(envelope: Any) -> bool:
    """The fields every Alexa request to a custom skill carries (the SDK relies on them)."""
    required = [
        ("version",),
        ("request", "type"),
        ("request", "requestId"),
        ("request", "timestamp"),
        ("context", "System", "application", "applicationId"),
    ]
    if _field(envelope, "request", "type") == "IntentRequest":
        required.append(("request", "intent", "name"))  # every handler's predicate reads it
    return all(isinstance(_field(envelope, *path), str) for path in required)


def _not_json(constant: str) -> Any:
    """NaN, Infinity and -Infinity: Python's json reads them, but they are not JSON and Alexa
    never sends them; echoed back in session attributes they would make the answer invalid."""
    raise ValueError(f"{constant} is not JSON")


def _finite_float(text: str) -> float:
    """A JSON number as Python reads it, refusing one too large for a float (1e999 reads as
    infinity, which no strict JSON answer can hold)."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is out of range for a number")
    return value


def _too_deep(value: Any, limit: int) -> bool:
    """Whether parsed JSON nests containers more than `limit` deep (checked without recursion,
    so that nothing later recurses past Python's limit on it)."""
    level: list[Any] = [value]
    for _ in range(limit):
        level = [
            child
            for item in level
            if isinstance(item, (dict, list))
            for child in (item.values() if isinstance(item, dict) else item)
        ]
        if not level:
            return False
    return any(isinstance(item, (dict, list)) for item in level)


def _require_zoned_timestamp(envelope: RequestEnvelope) -> None:
    """Alexa's timestamps carry a zone ("...Z"). The SDK reads one without a zone, or a bare
    date, as a naive time that cannot be compared with now: refuse it as malformed instead."""
    timestamp = getattr(envelope.request, "timestamp", None)
    if timestamp is not None and (
        not isinstance(timestamp, datetime) or timestamp.utcoffset() is None
    ):
        raise SerializationException(f"the request's timestamp has no time zone: {timestamp}")


def _alexa() -> Response | tuple[Response, int]:
    service = _service()
    limit = service.settings.max_body_bytes
    # One byte over the limit may be read, so that a body without a length (chunked) that is
    # longer is refused like one whose length says so, rather than cut at the limit and read.
    request.max_content_length = limit + 1
    if request.content_length is not None and request.content_length > limit:
        abort(413)
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if request.mimetype != "application/json" or charset not in {"utf-8", "utf8"}:
        abort(415)
    raw = request.get_data(cache=False)
    if len(raw) > limit:
        abort(413)
    try:
        body = raw.decode("utf-8")
        envelope = json.loads(body, parse_constant=_not_json, parse_float=_finite_float)
    except ValueError:  # UnicodeDecodeError and JSONDecodeError are both ValueErrors
        return _error(400, "body is not UTF-8 JSON")
    except RecursionError:  # brackets nested past the parser's limit
        return _error(400, "body is nested too deeply")
    if _too_deep(envelope, MAX_JSON_DEPTH):
        return _error(400, "body is nested too deeply")
    if not _is_request_envelope(envelope):
        return _error(400, "body is not an Alexa request envelope")

    try:
        # Verification runs before dispatch, so a refused request never reaches the skill.
        request_envelope = cast(
            RequestEnvelope, service.serializer.deserialize(body, RequestEnvelope)
        )
        _require_zoned_timestamp(request_envelope)
        if service.check is not None:
            service.check(dict(request.headers), body, request_envelope)
        response = service.skill.invoke(request_envelope=request_envelope, context=None)
        # Strict JSON out: Alexa cannot read NaN or Infinity (none can come in, see _not_json).
        payload = json.dumps(service.serializer.serialize(response), allow_nan=False)
    except RequestRefused as exc:
        logger.warning("Refused a request that failed verification: %s", exc)
        return _error(400, "request verification failed")
    except SerializationException as exc:  # raised while reading the envelope's fields
        logger.warning("Refused a malformed request envelope: %s", exc)
        return _error(400, "malformed request envelope")
    except OtherSkillRequest as exc:
        logger.warning("Refused a request for another skill: %s", exc)
        return _error(400, "request is for another skill")
    except Exception:
        logger.exception("The skill failed on a %s", envelope["request"]["type"])
        return _error(500, "internal error")
    return Response(payload, status=200, mimetype="application/json")
