"""Stored records that load (right fields, right types) but make no sense: values out of range,
ids the workout does not have, counts past an exercise's sets, times of infinity. Each is
treated as unreadable: the runner hears the spoken fresh start once, the record is replaced by
one the coach can use, the next turn is ordinary, and no answer ever says a negative number."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from harness.envelopes import intent_json
from skill.coaching.coach import Coach
from skill.coaching.progress import Progress
from skill.content.loader import default_library
from skill.persistence import decode, encode
from tests.support import USER_ID, output_speech, request_envelope, save_record, sqlite_store_of

LIBRARY = default_library()
WORKOUT = next(plan for plan in LIBRARY.workouts if plan.id == "bodyweight")
EXERCISES = WORKOUT.exercises
FRESH_START = "couldn't read your saved workout"
SORRY = "something went wrong"
INFINITY = 123456.789  # stored as 1e999, which JSON readers take for infinity
NOW = time.time()


def last_set(**changes: Any) -> dict[str, Any]:
    """A valid record one set from the end of the bodyweight workout, changed by `changes`."""
    progress = Progress(
        workout_id=WORKOUT.id,
        exercise_index=len(EXERCISES) - 1,
        set_number=EXERCISES[-1].sets,
        started_at=NOW - 1800,
        sets_by_exercise=(*(e.sets for e in EXERCISES[:-1]), EXERCISES[-1].sets - 1),
        active_seconds=1500.0,
        last_move_at=NOW - 60,
    ).to_dict()
    progress.update(changes)
    return progress


@dataclass(frozen=True)
class BadRecord:
    id: str
    record: dict[str, Any]


BAD_RECORDS = [
    BadRecord("started-at-infinity", {"progress": last_set(started_at=INFINITY)}),
    BadRecord("last-move-at-infinity", {"progress": last_set(last_move_at=INFINITY)}),
    BadRecord("active-seconds-infinity", {"progress": last_set(active_seconds=INFINITY)}),
    BadRecord("started-at-negative", {"progress": last_set(started_at=-5.0)}),
    BadRecord(
        "skipped-unknown-ids",
        {"progress": last_set(skipped=[f"no-such-exercise-{n}" for n in range(30)])},
    ),
    BadRecord("skipped-twice", {"progress": last_set(skipped=[EXERCISES[0].id] * 2)}),
    BadRecord(
        "skipped-from-another-workout",
        {
            "progress": last_set(
                skipped=[
                    e.id
                    for plan in LIBRARY.workouts
                    if plan.id != WORKOUT.id
                    for e in plan.exercises
                    if e.id not in {x.id for x in EXERCISES}
                ][:1]
            )
        },
    ),
    BadRecord(
        "sets-past-the-exercise",
        {"progress": last_set(sets_by_exercise=[99] + [0] * (len(EXERCISES) - 1))},
    ),
    BadRecord("load-of-unknown-exercise", {"progress": last_set(loads={"no-such": "easier"})}),
    BadRecord(
        "idle-with-skips",
        {"progress": {**Progress().to_dict(), "skipped": [EXERCISES[0].id]}},
    ),
    BadRecord(
        "history-finished-at-infinity",
        {
            "progress": last_set(),
            "history": {
                "workouts": [{"workout_id": WORKOUT.id, "finished_at": INFINITY, "sets_done": 3}]
            },
        },
    ),
]


def record_text(record: dict[str, Any]) -> str:
    return encode(record).replace(str(INFINITY), "1e999")


def put_record(app: Flask, text: str) -> None:
    store = sqlite_store_of(app)
    save_record(store, USER_ID, {"progress": Progress().to_dict()})  # the table
    with closing(sqlite3.connect(store.path)) as conn, conn:
        conn.execute("UPDATE progress SET record = ? WHERE user_id = ?", (text, USER_ID))


def stored_record(app: Flask) -> dict[str, Any]:
    with closing(sqlite3.connect(sqlite_store_of(app).path)) as conn:
        row = conn.execute("SELECT record FROM progress WHERE user_id = ?", (USER_ID,)).fetchone()
    return decode(str(row[0]))


def say(client: FlaskClient, intent: str | None) -> str:
    if intent is None:
        envelope = request_envelope("LaunchRequest")
    else:
        envelope = request_envelope("IntentRequest", new_session=False, intent=intent_json(intent))
    response = client.post(
        "/alexa", data=json.dumps(envelope), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return output_speech(response.get_json())


@pytest.mark.parametrize("first", ["NextSetIntent", "StatusIntent", None])
@pytest.mark.parametrize("bad", BAD_RECORDS, ids=[bad.id for bad in BAD_RECORDS])
def test_a_record_that_makes_no_sense_is_a_spoken_fresh_start_once(
    make_app: Callable[..., Flask], bad: BadRecord, first: str | None
) -> None:
    app = make_app(COACH_VERIFY_REQUESTS="0")
    put_record(app, record_text(bad.record))
    client = app.test_client()

    heard = [say(client, first)]
    assert FRESH_START in heard[0]
    record = stored_record(app)  # replaced by a record the coach can use
    assert Coach(LIBRARY).is_valid(Progress.from_dict(record["progress"]))
    heard += [say(client, intent) for intent in ("NextSetIntent", "StatusIntent")]
    assert all(FRESH_START not in speech for speech in heard[1:]), heard
    assert all(SORRY not in speech for speech in heard), heard
    assert not [speech for speech in heard if re.search(r"-\s*\d", speech)], heard


def test_the_valid_record_they_are_made_from_is_finished_as_it_stands(
    make_app: Callable[..., Flask],
) -> None:
    """The control: unchanged, the record is read, and the next set ends the workout."""
    app = make_app(COACH_VERIFY_REQUESTS="0")
    put_record(app, record_text({"progress": last_set()}))
    speech = say(app.test_client(), "NextSetIntent")
    assert FRESH_START not in speech
    assert stored_record(app)["progress"]["finished"] is True, speech
