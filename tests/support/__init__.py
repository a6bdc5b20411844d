"""Helpers shared by tests: Alexa request envelopes (built by harness.envelopes, with this
suite's ids), and counting what reaches the skill."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from ask_sdk_model.context import Context
from ask_sdk_model.interfaces.system.system_state import SystemState
from ask_sdk_model.request_envelope import RequestEnvelope
from ask_sdk_model.user import User
from flask import Flask
from flask.testing import FlaskClient

from harness.envelopes import (
    LOCALE,
    Caller,
    SessionState,
    envelope,
    intent_request,
    new_session_id,
    request_body,
    timestamp,
    utc_now,
)
from harness.interaction_model import load_model
from harness.utterances import SlotMatch
from skill.persistence import (
    Quarantined,
    RecordStore,
    SaveConflict,
    SqliteProgressStore,
    StoredRecord,
    decode,
    encode,
)
from skill.persistence.keys import record_key

REPO_ROOT = Path(__file__).resolve().parents[2]
SKILL_ID = "amzn1.ask.skill.11111111-2222-3333-4444-555555555555"
USER_ID = "amzn1.ask.account.TESTUSER"
DEVICE_ID = "amzn1.ask.device.TESTDEVICE"


# A runner one set into the bodyweight workout (push-ups, set 2 of 4), as a record's "progress"
# holds it: tests store it, or vary it, to start from a known place.
ONE_SET_IN: dict[str, Any] = {
    "workout_id": "bodyweight",
    "exercise_index": 0,
    "set_number": 2,
    "sets_by_exercise": [1],
    "skipped": [],
    "started_at": 1764480000.0,
    "active_seconds": 60.0,
    "last_move_at": 1764480060.0,
    "rest_seconds": None,
    "finished": False,
}


def request_envelope(
    request_type: str = "LaunchRequest",
    *,
    skill_id: str = SKILL_ID,
    user_id: str = USER_ID,
    timestamp: dt.datetime | str | None = None,
    locale: str = LOCALE,
    new_session: bool = True,
    session_attributes: dict[str, Any] | None = None,
    **request_fields: Any,
) -> dict[str, Any]:
    """harness.envelopes with this suite's ids, a session of its own and, unless given, the time
    now (a string timestamp is sent as it is). Extra keyword fields go into `request` (for
    example `intent=intent_json(...)` or `reason="USER_INITIATED"`)."""
    caller = Caller(skill_id=skill_id, user_id=user_id, device_id=DEVICE_ID)
    session = SessionState(new_session_id(), new=new_session, attributes=session_attributes)
    when = utc_now() if timestamp is None else timestamp
    request = request_body(request_type, when, locale=locale, **request_fields)
    return envelope(caller, session, request)


def resolved_intent(name: str, *, user_id: str = USER_ID, **slots: str) -> dict[str, Any]:
    """An in-session request for an intent of the interaction model, made as the harness device
    makes it: every slot the intent declares, the ones given resolved as Alexa resolves a matched
    value (the value as its own id)."""
    model = load_model()
    caller = Caller(skill_id=SKILL_ID, user_id=user_id, device_id=DEVICE_ID)
    session = SessionState(new_session_id(), new=False)
    matched = {slot: SlotMatch(value, id=value, name=value) for slot, value in slots.items()}
    return intent_request(caller, session, utc_now(), model, model.intent(name), matched)


def with_player(envelope: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    """The envelope as a device with a player sends it (its state after `token` played)."""
    device = envelope["context"]["System"]["device"]
    device["supportedInterfaces"] = {"AudioPlayer": {}}
    player: dict[str, Any] = {"playerActivity": "IDLE"}
    if token is not None:
        player = {"token": token, "offsetInMilliseconds": 0, "playerActivity": "FINISHED"}
    envelope["context"]["AudioPlayer"] = player
    return envelope


def user_envelope(user_id: str | None = USER_ID) -> RequestEnvelope:
    """Just enough of a request for a progress store: the user whose record it is."""
    return RequestEnvelope(context=Context(system=SystemState(user=User(user_id=user_id))))


def sqlite_store_of(app: Flask) -> SqliteProgressStore:
    """The SQLite store the app's skill saves to."""
    from skill.app import EXTENSION_KEY

    store = app.extensions[EXTENSION_KEY].store
    assert isinstance(store, SqliteProgressStore)
    return store


def load_record(store: RecordStore, user_id: str = USER_ID) -> dict[str, object]:
    """The runner's record as its attributes ({} when there is none)."""
    stored = store.read(record_key(user_id))
    return {} if stored is None else decode(stored.text)


def save_record(store: RecordStore, user_id: str, attributes: dict[str, object]) -> None:
    """Replace the runner's record with `attributes`, whatever it held, as a new revision."""
    store.replace(record_key(user_id), encode(attributes))


def delete_record(store: RecordStore, user_id: str) -> None:
    store.delete(record_key(user_id))


def envelope_body(envelope: dict[str, Any]) -> bytes:
    return json.dumps(envelope).encode("utf-8")


def alexa_answer(client: FlaskClient, envelope: dict[str, Any]) -> dict[str, Any]:
    """POST `envelope` to /alexa; the answer's JSON, which must come with a 200."""
    response = client.post("/alexa", json=envelope)
    assert response.status_code == 200, response.data
    body: dict[str, Any] = response.get_json()
    return body


def output_speech(response_json: dict[str, Any]) -> str:
    """The SSML the skill said, or "" if it said nothing."""
    speech = response_json.get("response", {}).get("outputSpeech") or {}
    return str(speech.get("ssml") or speech.get("text") or "")


def count_dispatches(app: Flask, monkeypatch: Any) -> list[str]:
    """The request type of every request that reaches the skill's answer (past every check)."""
    from skill.app import EXTENSION_KEY

    skill = app.extensions[EXTENSION_KEY].skill
    seen: list[str] = []
    original = skill.answer

    def answer(asked: Any) -> Any:
        seen.append(asked.kind)
        return original(asked)

    monkeypatch.setattr(skill, "answer", answer)
    return seen


class RecordingStore(RecordStore):
    """An in-memory store that records every call, to show what a request touched."""

    def __init__(self) -> None:
        self.rows: dict[str, StoredRecord] = {}
        self.kept: dict[str, list[Quarantined]] = {}
        self.calls: list[str] = []

    def read(self, key: str) -> StoredRecord | None:
        self.calls.append("get")
        return self.rows.get(key)

    def write(
        self,
        key: str,
        text: str,
        read: StoredRecord | None,
        quarantined: Quarantined | None = None,
    ) -> None:
        self.calls.append("save")
        if self.rows.get(key) != read:
            raise SaveConflict(f"the record of {key!r} changed since it was read")
        self.rows[key] = StoredRecord(text, 1 if read is None else read.revision + 1)
        if quarantined is not None:
            self.kept.setdefault(key, []).append(quarantined)

    def replace(self, key: str, text: str) -> None:
        self.calls.append("save")
        stored = self.rows.get(key)
        self.rows[key] = StoredRecord(text, 1 if stored is None else stored.revision + 1)

    def delete(self, key: str) -> None:
        self.calls.append("delete")
        self.rows.pop(key, None)

    def quarantined(self, key: str) -> list[Quarantined]:
        return list(self.kept.get(key, []))

    def check(self) -> None:
        pass


__all__ = [
    "DEVICE_ID",
    "ONE_SET_IN",
    "SKILL_ID",
    "USER_ID",
    "RecordingStore",
    "count_dispatches",
    "envelope_body",
    "output_speech",
    "request_envelope",
    "resolved_intent",
    "with_player",
]


class ListeningClock:
    """When Alexa stamps each request of a conversation made by hand: after the previous answer
    has been spoken in full (by the timing model) and a second more, as a runner who listens
    to it says the next thing. The coach reads a command said over its answer, before the set
    is called, as starting that set (skill.alexa.turn's `before_the_set_call`)."""

    def __init__(self) -> None:
        self.moment = utc_now()

    def stamp(self, envelope: dict[str, Any]) -> dict[str, Any]:
        envelope["request"]["timestamp"] = timestamp(self.moment)
        return envelope

    def heard(self, response: dict[str, Any]) -> None:
        from harness.device import ssml_seconds

        self.moment += dt.timedelta(seconds=ssml_seconds(output_speech(response)) + 1)
