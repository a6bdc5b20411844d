"""FastSerializer reads and writes exactly what the SDK's own serializer does.

The reference is the SDK's DefaultSerializer with one change the skill has always made:
timestamps are read with `datetime.fromisoformat` (dateutil also accepts prose such as
"Jan 1 2026", which Alexa never sends), and a time without a zone is refused (the SDK's
timestamp check cannot compare it).
"""

from __future__ import annotations

import copy
import json
from datetime import date, datetime
from typing import Any

import pytest
from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope, ResponseEnvelope
from hypothesis import HealthCheck, given, settings

from harness.interaction_model import load_model
from skill.alexa.serializer import FastSerializer
from skill.app import EXTENSION_KEY
from tests.reliability.test_fuzz import envelopes
from tests.support import request_envelope, resolved_intent


class ReferenceSerializer(DefaultSerializer):
    def _DefaultSerializer__deserialize_datetime(self, payload: str, obj_type: Any) -> Any:  # noqa: N802
        try:
            parsed = datetime.fromisoformat(payload)
        except (TypeError, ValueError):
            raise SerializationException(f"Failed to parse {payload!r}") from None
        if obj_type is not date and parsed.utcoffset() is None:
            raise SerializationException(f"Time {payload!r} has no time zone")
        return parsed.date() if obj_type is date else parsed


def rich_context(envelope: dict[str, Any]) -> dict[str, Any]:
    """The context an Echo Show playing audio sends: more nested models to read."""
    system = envelope["context"]["System"]
    system["device"]["supportedInterfaces"] = {
        "AudioPlayer": {},
        "Display": {"templateVersion": "1.0", "markupVersion": "1.0"},
        "Alexa.Presentation.APL": {"runtime": {"maxVersion": "2023.3"}},
    }
    system["viewport"] = {
        "experiences": [{"arcMinuteWidth": 246, "arcMinuteHeight": 144, "canRotate": False}],
        "shape": "RECTANGLE",
        "pixelWidth": 1024,
        "pixelHeight": 600,
        "dpi": 160,
        "currentPixelWidth": 1024,
        "currentPixelHeight": 600,
        "touch": ["SINGLE"],
        "keyboard": [],
    }
    envelope["context"]["AudioPlayer"] = {
        "token": "set-3",
        "offsetInMilliseconds": 12000,
        "playerActivity": "PLAYING",
    }
    return envelope


def realistic_envelopes() -> list[dict[str, Any]]:
    model = load_model()
    found = [request_envelope("LaunchRequest")]
    for intent in model.intents:
        found.append(resolved_intent(intent.name, **{s.name: "bodyweight" for s in intent.slots}))
    found.append(request_envelope("SessionEndedRequest", reason="USER_INITIATED"))
    found.append(
        request_envelope(
            "SessionEndedRequest",
            reason="ERROR",
            error={"type": "INVALID_RESPONSE", "message": "bad SSML"},
        )
    )
    for kind in ("PlaybackStarted", "PlaybackNearlyFinished", "PlaybackFinished"):
        found.append(request_envelope(f"AudioPlayer.{kind}", token="set-3", offsetInMilliseconds=5))
    found.append(request_envelope("PlaybackController.NextCommandIssued"))
    found.append(request_envelope("Alexa.Presentation.APL.UserEvent", arguments=["next"]))
    found.append(
        request_envelope(
            "System.ExceptionEncountered",
            error={"type": "INVALID_RESPONSE", "message": "bad"},
            cause={"requestId": "amzn1.echo-api.request.1"},
        )
    )
    return found + [rich_context(copy.deepcopy(e)) for e in found]


def read_both(envelope: Any) -> tuple[Any, Any]:
    text = json.dumps(envelope)
    results = []
    for serializer in (FastSerializer(), ReferenceSerializer()):
        try:
            results.append(serializer.deserialize(text, RequestEnvelope))
        except SerializationException:
            results.append(SerializationException)
    return results[0], results[1]


@pytest.mark.parametrize("envelope", realistic_envelopes(), ids=lambda e: e["request"]["type"])
def test_every_kind_of_request_reads_as_the_sdk_reads_it(envelope: dict[str, Any]) -> None:
    fast, reference = read_both(envelope)
    assert isinstance(fast, RequestEnvelope)
    assert fast == reference
    assert type(fast.request) is type(reference.request)
    # Written back out, the two are the same JSON, key for key and in the same order.
    assert json.dumps(FastSerializer().serialize(fast)) == json.dumps(
        ReferenceSerializer().serialize(reference)
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(envelope=envelopes())
def test_fuzzed_requests_read_or_fail_as_the_sdk_does(envelope: dict[str, Any]) -> None:
    fast, reference = read_both(envelope)
    assert fast == reference


def test_already_parsed_json_reads_like_the_text() -> None:
    envelope = rich_context(resolved_intent("NextSetIntent"))
    serializer = FastSerializer()
    assert serializer.deserialize_object(envelope, RequestEnvelope) == serializer.deserialize(
        json.dumps(envelope), RequestEnvelope
    )


def test_unknown_fields_are_kept_as_the_sdk_keeps_them() -> None:
    envelope = resolved_intent("NextSetIntent")
    envelope["request"]["somethingNew"] = {"a": 1}
    fast, reference = read_both(envelope)
    assert fast.request.somethingNew == {"a": 1} == reference.request.somethingNew


@pytest.mark.parametrize("timestamp", ["yesterday", "", "2026-13-45T99:99:99Z"])
def test_a_timestamp_that_is_not_iso_is_a_serialization_error(timestamp: str) -> None:
    envelope = request_envelope("LaunchRequest", timestamp=timestamp)
    with pytest.raises(SerializationException):
        FastSerializer().deserialize(json.dumps(envelope), RequestEnvelope)


def test_the_skills_answers_are_written_as_the_sdk_writes_them(app: Any) -> None:
    """Each response the skill builds, through both serializers: the same JSON text."""
    skill = app.extensions[EXTENSION_KEY].skill
    fast = FastSerializer()
    written = 0
    for envelope in [
        request_envelope("LaunchRequest"),
        resolved_intent("StartWorkoutIntent", workout="dumbbell"),
        resolved_intent("NextSetIntent"),
        resolved_intent("AMAZON.HelpIntent"),
        resolved_intent("AMAZON.StopIntent"),
    ]:
        request = fast.deserialize(json.dumps(envelope), RequestEnvelope)
        response = skill.invoke(request_envelope=request, context=None)
        assert isinstance(response, ResponseEnvelope)
        ours = json.dumps(fast.serialize(response))
        assert ours == json.dumps(DefaultSerializer().serialize(response))
        assert "<speak>" in ours
        written += 1
    assert written == 5
