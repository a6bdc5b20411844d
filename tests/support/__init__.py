"""Helpers shared by tests: Alexa request envelopes, and counting what reaches the skill."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.request_envelope import RequestEnvelope
from flask import Flask

REPO_ROOT = Path(__file__).resolve().parents[2]
SKILL_ID = "amzn1.ask.skill.11111111-2222-3333-4444-555555555555"
USER_ID = "amzn1.ask.account.TESTUSER"
DEVICE_ID = "amzn1.ask.device.TESTDEVICE"


def alexa_timestamp(when: dt.datetime | None = None) -> str:
    """ISO-8601 UTC with a Z, as Alexa writes it: 2026-01-27T10:00:00Z."""
    when = dt.datetime.now(dt.UTC) if when is None else when
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def request_envelope(
    request_type: str = "LaunchRequest",
    *,
    skill_id: str = SKILL_ID,
    user_id: str = USER_ID,
    timestamp: str | None = None,
    locale: str = "en-US",
    new_session: bool = True,
    session_attributes: dict[str, Any] | None = None,
    **request_fields: Any,
) -> dict[str, Any]:
    """A realistic custom-skill request envelope; extra keyword fields go into `request`
    (for example `intent={...}` or `reason="USER_INITIATED"`)."""
    application = {"applicationId": skill_id}
    user = {"userId": user_id}
    session: dict[str, Any] = {
        "new": new_session,
        "sessionId": f"amzn1.echo-api.session.{uuid.uuid4()}",
        "application": application,
        "user": user,
    }
    if session_attributes is not None:
        session["attributes"] = session_attributes
    return {
        "version": "1.0",
        "session": session,
        "context": {
            "System": {
                "application": application,
                "user": user,
                "device": {"deviceId": DEVICE_ID, "supportedInterfaces": {}},
                "apiEndpoint": "https://api.amazonalexa.com",
                "apiAccessToken": "test-token",
            }
        },
        "request": {
            "type": request_type,
            "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
            "timestamp": alexa_timestamp() if timestamp is None else timestamp,
            "locale": locale,
            **request_fields,
        },
    }


def resolved_intent(name: str, *, user_id: str = USER_ID, **slots: str) -> dict[str, Any]:
    """An in-session IntentRequest envelope, its slots resolved as Alexa resolves a matched
    value (ER_SUCCESS_MATCH, the value as its own id)."""
    filled = {
        slot: {
            "name": slot,
            "value": value,
            "confirmationStatus": "NONE",
            "resolutions": {
                "resolutionsPerAuthority": [
                    {
                        "authority": "amzn1.er-authority.echo-sdk.bench.TYPE",
                        "status": {"code": "ER_SUCCESS_MATCH"},
                        "values": [{"value": {"name": value, "id": value}}],
                    }
                ]
            },
        }
        for slot, value in slots.items()
    }
    body = {"name": name, "confirmationStatus": "NONE", "slots": filled}
    return request_envelope("IntentRequest", user_id=user_id, new_session=False, intent=body)


def envelope_body(envelope: dict[str, Any]) -> bytes:
    return json.dumps(envelope).encode("utf-8")


def output_speech(response_json: dict[str, Any]) -> str:
    """The SSML the skill said, or "" if it said nothing."""
    speech = response_json.get("response", {}).get("outputSpeech") or {}
    return str(speech.get("ssml") or speech.get("text") or "")


def count_dispatches(app: Flask, monkeypatch: Any) -> list[RequestEnvelope]:
    """Record every envelope that reaches the skill's request handlers (past every check)."""
    from skill.app import EXTENSION_KEY

    dispatcher = app.extensions[EXTENSION_KEY].skill.request_dispatcher
    seen: list[RequestEnvelope] = []
    original = dispatcher.dispatch

    def dispatch(handler_input: HandlerInput) -> Any:
        seen.append(handler_input.request_envelope)
        return original(handler_input=handler_input)

    monkeypatch.setattr(dispatcher, "dispatch", dispatch)
    return seen


class RecordingPersistenceAdapter(AbstractPersistenceAdapter):
    """An in-memory store that records every call, to show what a request touched."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}
        self.calls: list[str] = []

    def _key(self, request_envelope: RequestEnvelope) -> str:
        system = request_envelope.context.system if request_envelope.context else None
        return str(system.user.user_id) if system and system.user else ""

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        self.calls.append("get")
        return dict(self.rows.get(self._key(request_envelope), {}))

    def save_attributes(
        self, request_envelope: RequestEnvelope, attributes: dict[str, Any]
    ) -> None:
        self.calls.append("save")
        self.rows[self._key(request_envelope)] = dict(attributes)

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        self.calls.append("delete")
        self.rows.pop(self._key(request_envelope), None)


__all__ = [
    "DEVICE_ID",
    "SKILL_ID",
    "USER_ID",
    "RecordingPersistenceAdapter",
    "alexa_timestamp",
    "count_dispatches",
    "envelope_body",
    "output_speech",
    "request_envelope",
    "resolved_intent",
]
