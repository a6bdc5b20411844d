"""Whatever comes in, every answer keeps Alexa's rules: SSML that `speech_problems` accepts
(well-formed, at most 8,000 characters) and strict JSON (no NaN or Infinity, which Alexa
cannot read). The same checks run on every fuzzed response (test_fuzz.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from harness.interaction_model import load_model
from harness.ssml_rules import speech_problems
from skill.speech.ssml import Speech
from tests.reliability.test_fuzz import strict_json
from tests.support import request_envelope, resolved_intent

SLOTTED_INTENTS = [intent.name for intent in load_model().intents if intent.slots]
CONTROL_CHARACTERS = "".join(chr(code) for code in range(32) if chr(code) not in "\t\n\r")
ODD_SLOT_VALUES = {
    "huge": "x" * 40_000,
    "huge-markup": "<speak>&" * 5_000,
    "control-characters": f"push{CONTROL_CHARACTERS}ups",
    "not-characters": "\ufffe\uffff\ud800",
}


def answer_problems(text: str) -> list[str]:
    """What Alexa would refuse in a response body: not strict JSON, or SSML it cannot speak."""
    try:
        payload = strict_json(text)
    except ValueError as error:
        return [str(error)]
    problems = []
    response = payload.get("response", {}) if isinstance(payload, dict) else {}
    for speech, reprompt in [
        (response.get("outputSpeech"), False),
        ((response.get("reprompt") or {}).get("outputSpeech"), True),
    ]:
        if isinstance(speech, dict) and speech.get("type") == "SSML":
            problems += speech_problems(str(speech["ssml"]), reprompt=reprompt)
    return problems


@pytest.fixture
def unverified(make_app: Callable[..., Flask]) -> FlaskClient:
    return make_app(COACH_VERIFY_REQUESTS="0", COACH_MAX_BODY_BYTES=str(1024 * 1024)).test_client()


def post(client: FlaskClient, envelope: dict[str, Any]) -> tuple[int, str]:
    response = client.post(
        "/alexa", data=json.dumps(envelope), headers={"Content-Type": "application/json"}
    )
    return response.status_code, response.get_data(as_text=True)


@pytest.mark.parametrize("value", ODD_SLOT_VALUES.values(), ids=list(ODD_SLOT_VALUES))
@pytest.mark.parametrize("intent", SLOTTED_INTENTS)
def test_any_slot_value_gets_an_answer_within_alexas_rules(
    unverified: FlaskClient, intent: str, value: str
) -> None:
    assert post(unverified, resolved_intent("StartWorkoutIntent", workout="bodyweight"))[0] == 200
    envelope = resolved_intent(intent)
    for slot in envelope["request"]["intent"].get("slots", {}).values():
        slot["value"] = value
        slot["resolutions"] = {
            "resolutionsPerAuthority": [
                {
                    "authority": "x",
                    "status": {"code": "ER_SUCCESS_MATCH"},
                    "values": [{"value": {"name": value, "id": value}}],
                }
            ]
        }
    status, text = post(unverified, envelope)
    assert status == 200, text
    assert answer_problems(text) == []


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_in_session_attributes_never_make_invalid_json(
    unverified: FlaskClient, constant: str
) -> None:
    envelope = request_envelope("LaunchRequest", session_attributes={"mark": 1.5})
    body = json.dumps(envelope).replace("1.5", constant)
    response = unverified.post("/alexa", data=body, headers={"Content-Type": "application/json"})
    text = response.get_data(as_text=True)
    assert response.status_code == 400, text
    assert strict_json(text) == {"error": "body is not UTF-8 JSON"}


def test_characters_xml_cannot_hold_are_left_out_of_speech() -> None:
    ssml = Speech().say(f"push{CONTROL_CHARACTERS}\ufffe\ud800 ups").ssml()
    assert speech_problems(ssml) == []
    assert "push ups" in ssml
