"""What this version cannot read is never destroyed, on both stores.

A record from a newer version (a canary ran, or this is a rollback) is left byte for byte as it
is and the runner is told so, with nothing saved. A record that cannot be read at all is
quarantined: the fresh record that replaces it is saved in the same write as a copy of it, which
an operator can restore (docs/reliability.md says how).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from harness.envelopes import intent_json
from skill.persistence import (
    RECORD_VERSION,
    Quarantined,
    RecordStore,
    SaveConflict,
    StoredRecord,
    decode,
)
from tests.support import ONE_SET_IN, alexa_answer, output_speech, request_envelope, resolved_intent

USER = "amzn1.ask.account.KEPT-RECORDS"

# A workout a set in, as this version writes it: the newer and unreadable records vary it.
READABLE: dict[str, Any] = {"version": RECORD_VERSION, "attributes": {"progress": ONE_SET_IN}}
NEWER = json.dumps({**READABLE, "version": RECORD_VERSION + 1, "future_field": [1, 2, 3]})

UNREADABLE = {
    "not JSON": '{"version": 2, "attr',
    "not a record": "[1, 2]",
    "no version": json.dumps({"attributes": {}}),
    "a workout this version does not have": json.dumps(
        {
            **READABLE,
            "attributes": {
                "progress": {**READABLE["attributes"]["progress"], "workout_id": "kettlebell"}
            },
        }
    ),
}

NEWER_NOTICE = "saved by a newer version of Upper Body Coach"
FRESH_START = "couldn't read your saved workout, so I've put it aside and we'll start fresh"


TURNS = {
    "open the skill": lambda: request_envelope("LaunchRequest", user_id=USER),
    "next set": lambda: resolved_intent("NextSetIntent", user_id=USER),
    "where am I": lambda: resolved_intent("StatusIntent", user_id=USER),
    "one-shot next set": lambda: request_envelope(
        "IntentRequest", user_id=USER, intent=intent_json("NextSetIntent")
    ),
}


def test_the_readable_record_they_vary_is_read(
    coach_on: FlaskClient, either_store: RecordStore
) -> None:
    either_store.write(USER, json.dumps(READABLE), None)
    speech = output_speech(alexa_answer(coach_on, resolved_intent("NextSetIntent", user_id=USER)))
    assert "Set 3 of 4" in speech


@pytest.mark.parametrize("turn", TURNS.values(), ids=TURNS.keys())
def test_a_record_from_a_newer_version_is_left_exactly_as_it_is(
    coach_on: FlaskClient, either_store: RecordStore, turn: Any
) -> None:
    either_store.write(USER, NEWER, None)
    before = either_store.read(USER)
    body = alexa_answer(coach_on, turn())
    speech = output_speech(body)
    assert NEWER_NOTICE in speech and "left it exactly as it is" in speech
    assert body["response"]["shouldEndSession"] is True
    assert either_store.read(USER) == before  # same text, same revision: not even rewritten
    assert either_store.quarantined(USER) == []


def test_a_newer_record_gets_no_speech_when_the_session_ends(
    coach_on: FlaskClient, either_store: RecordStore
) -> None:
    either_store.write(USER, NEWER, None)
    before = either_store.read(USER)
    envelope = request_envelope(
        "SessionEndedRequest", user_id=USER, new_session=False, reason="USER_INITIATED"
    )
    body = alexa_answer(coach_on, envelope)
    assert output_speech(body) == ""
    assert either_store.read(USER) == before


@pytest.mark.parametrize("text", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_an_unreadable_record_is_quarantined_and_the_runner_starts_fresh(
    coach_on: FlaskClient, either_store: RecordStore, text: str
) -> None:
    either_store.write(USER, text, None)
    speech = output_speech(alexa_answer(coach_on, request_envelope("LaunchRequest", user_id=USER)))
    assert FRESH_START in speech and "Which one would you like?" in speech

    replaced = either_store.read(USER)
    assert replaced is not None and replaced.revision == 2
    assert decode(replaced.text)["progress"]["workout_id"] is None  # a fresh, readable record
    [kept] = either_store.quarantined(USER)
    assert kept.text == text  # exactly what was stored, to restore or inspect
    assert kept.reason and kept.at.endswith("Z")

    # The runner carries on as any new runner would, told once.
    speech = output_speech(
        alexa_answer(
            coach_on, resolved_intent("StartWorkoutIntent", user_id=USER, workout="dumbbell")
        )
    )
    assert "dumbbell workout" in speech and FRESH_START not in speech
    assert either_store.quarantined(USER) == [kept]


def test_a_second_unreadable_record_is_kept_beside_the_first(
    coach_on: FlaskClient, either_store: RecordStore
) -> None:
    first, second = UNREADABLE["not JSON"], UNREADABLE["no version"]
    either_store.write(USER, first, None)
    alexa_answer(coach_on, request_envelope("LaunchRequest", user_id=USER))
    either_store.write(USER, second, either_store.read(USER))
    speech = output_speech(alexa_answer(coach_on, request_envelope("LaunchRequest", user_id=USER)))
    assert FRESH_START in speech
    assert [kept.text for kept in either_store.quarantined(USER)] == [first, second]


def test_quarantine_and_replacement_are_one_write(either_store: RecordStore) -> None:
    either_store.write(USER, "garbage", None)
    stale = either_store.read(USER)
    assert stale is not None
    either_store.write(USER, "also garbage", stale)  # another turn got there first
    with pytest.raises(SaveConflict):
        either_store.write(USER, "{}", stale, Quarantined.now(stale.text, "unreadable"))
    # Neither half of the losing write happened.
    assert either_store.read(USER) == StoredRecord("also garbage", stale.revision + 1)
    assert either_store.quarantined(USER) == []


def test_fields_this_version_does_not_use_are_saved_back_as_they_were(
    coach_on: FlaskClient, either_store: RecordStore
) -> None:
    # A later version may add a field without a new record version (older ones can read the
    # rest): this version keeps it through its own saves, so a rollback does not lose it.
    later = {**READABLE["attributes"], "settings": {"music": "keep"}, "notes": [1, 2]}
    either_store.write(USER, json.dumps({**READABLE, "attributes": later}), None)
    speech = output_speech(alexa_answer(coach_on, resolved_intent("NextSetIntent", user_id=USER)))
    assert "Set 3 of 4" in speech
    stored = either_store.read(USER)
    assert stored is not None
    saved = decode(stored.text)
    assert saved["progress"]["set_number"] == 3
    assert saved["settings"] == {"music": "keep"} and saved["notes"] == [1, 2]
