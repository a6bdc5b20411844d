"""Error paths of the Alexa layer that the conversation scripts do not reach."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from ask_sdk_core.exceptions import PersistenceException

from skill.app import EXTENSION_KEY, create_app
from skill.coaching.coach import Coach
from skill.persistence import StoredRecord
from tests.support import (
    RecordingStore,
    alexa_answer,
    output_speech,
    request_envelope,
    resolved_intent,
)

JSON = "application/json"


class UnreachableStore(RecordingStore):
    def read(self, key: str) -> StoredRecord | None:
        raise PersistenceException("connection refused")


def post(store: RecordingStore, envelope: dict[str, Any]) -> dict[str, Any]:
    app = create_app({"COACH_VERIFY_REQUESTS": "0", "COACH_STORE_OBJECT": store})
    return alexa_answer(app.test_client(), envelope)


def next_set() -> dict[str, Any]:
    return resolved_intent("NextSetIntent")


def test_store_unreachable_gets_a_short_apology_and_nothing_saved(
    coach_env: pytest.MonkeyPatch,
) -> None:
    store = UnreachableStore()
    body = post(store, next_set())
    assert "can't reach your saved workouts" in output_speech(body)
    assert body["response"]["shouldEndSession"] is True
    assert "save" not in store.calls


def test_an_unexpected_error_is_spoken_and_nothing_is_saved(
    coach_env: pytest.MonkeyPatch, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Coach, *args: object) -> object:
        raise RuntimeError("bug")

    monkeypatch.setattr(Coach, "finish_set", broken)
    store = RecordingStore()
    body = post(store, next_set())
    assert "something went wrong on my side" in output_speech(body)
    assert body["response"]["shouldEndSession"] is False
    assert "save" not in store.calls


def test_session_ended_by_an_error_is_logged_and_gets_no_speech(
    coach_env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    envelope = request_envelope(
        "SessionEndedRequest",
        new_session=False,
        reason="ERROR",
        error={"type": "INVALID_RESPONSE", "message": "SSML is invalid"},
    )
    with caplog.at_level(logging.ERROR):
        body = post(RecordingStore(), envelope)
    assert "outputSpeech" not in body["response"]
    assert "SSML is invalid" in caplog.text


def test_the_app_builds_the_skill_once(coach_env: pytest.MonkeyPatch) -> None:
    app = create_app({"COACH_VERIFY_REQUESTS": "0", "COACH_STORE_OBJECT": RecordingStore()})
    first = app.extensions[EXTENSION_KEY].skill
    app.test_client().post("/alexa", json=request_envelope("LaunchRequest"), content_type=JSON)
    assert app.extensions[EXTENSION_KEY].skill is first
