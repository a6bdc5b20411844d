"""An answer that cannot be written is never preceded by a save: a number too large for a float
is refused at the door (400), and a turn whose answer would carry one (through a path that lets
it in, such as Lambda's own parsing) is answered with the apology and moves nothing."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest
from ask_sdk_model import RequestEnvelope
from flask import Flask

from harness.envelopes import intent_json
from skill.app import EXTENSION_KEY
from tests.support import (
    ONE_SET_IN,
    load_record,
    output_speech,
    request_envelope,
    sqlite_store_of,
)


@pytest.fixture
def app(one_set_in: Flask) -> Flask:
    return one_set_in


def next_set_with(attribute: str) -> str:
    """ "Next set" in a session whose attributes hold `attribute` as raw JSON."""
    envelope = request_envelope(
        "IntentRequest",
        intent=intent_json("NextSetIntent"),
        new_session=False,
        session_attributes={"echo": "PLACEHOLDER"},
    )
    return json.dumps(envelope).replace('"PLACEHOLDER"', attribute)


@pytest.mark.parametrize("number", ["1e999", "-1e999", "1E400"])
def test_a_number_too_large_for_a_float_is_refused_and_nothing_moves(
    app: Flask, number: str
) -> None:
    response = app.test_client().post(
        "/alexa", data=next_set_with(number), content_type="application/json"
    )
    assert response.status_code == 400
    assert load_record(sqlite_store_of(app))["progress"] == ONE_SET_IN


def test_a_turn_whose_answer_cannot_be_written_apologises_and_saves_nothing(app: Flask) -> None:
    skill = app.extensions[EXTENSION_KEY].skill
    body = next_set_with("1e999")  # as Lambda's runtime would hand it over, parsed by Python
    envelope = cast(RequestEnvelope, skill.serializer.deserialize(body, RequestEnvelope))
    answer: dict[str, Any] = skill.serializer.serialize(skill.invoke(envelope))
    written = json.loads(json.dumps(answer, allow_nan=False))  # strict JSON: Alexa can read it
    assert "something went wrong" in output_speech(written)
    assert "echo" not in (written.get("sessionAttributes") or {})
    assert load_record(sqlite_store_of(app))["progress"] == ONE_SET_IN  # set 2 not counted
