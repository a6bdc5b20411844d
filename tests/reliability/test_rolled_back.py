"""A rollback loses no runner's place: a record this version writes is read by the version
before it (main before issue 20) with the runner's place kept, and what only this version uses
(each exercise's own reps, kept in the record's `exercises` field) comes back untouched when
this version runs again.

The older version is the skill package of OLDER, taken out of git into a temporary folder and
run in a child process on the same SQLite file.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from skill.app import create_app
from skill.persistence import SqliteProgressStore, decode
from skill.persistence.keys import record_key
from tests.support import alexa_answer, output_speech, resolved_intent, save_record

# main before issue 20: its Progress refuses a field it does not know, and keeps record fields
# it does not know as they are.
OLDER = "1f5e01b81eac664e54efc7cdbbc721d6e70e5755"
ROOT = Path(__file__).resolve().parents[2]
USER = "amzn1.ask.account.ROLLED-BACK"
FRESH_START = "couldn't read your saved workout"

# The older version, answering each request given on stdin (a JSON list) on the SQLite file
# named first; prints the speech of each answer (a JSON list).
OLDER_SKILL = """
import json, sys
from skill.app import create_app
from skill.persistence import SqliteProgressStore
store = SqliteProgressStore(sys.argv[1])
app = create_app({"COACH_VERIFY_REQUESTS": "0", "COACH_STORE_OBJECT": store})
client = app.test_client()
said = []
for envelope in json.load(sys.stdin):
    body = client.post("/alexa", json=envelope).get_json()
    speech = body.get("response", {}).get("outputSpeech") or {}
    said.append(speech.get("ssml") or speech.get("text") or "")
store.close()
print(json.dumps(said))
"""


@pytest.fixture(scope="module")
def older_skill(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The older version's skill package, in a folder of its own."""
    folder = tmp_path_factory.mktemp("older")
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", OLDER, "skill"], capture_output=True, check=False
    )
    if archive.returncode != 0:
        pytest.skip(f"the older version is not in this checkout's git: {archive.stderr!r}")
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def older_says(older: Path, database: Path, *envelopes: dict[str, Any]) -> list[str]:
    """What the older version says to each request, on the same database."""
    done = subprocess.run(
        [sys.executable, "-c", OLDER_SKILL, str(database)],
        input=json.dumps(list(envelopes)),
        capture_output=True,
        text=True,
        cwd=older,
        env={"PYTHONPATH": str(older), "PATH": "/usr/bin:/bin"},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    said: list[str] = json.loads(done.stdout.splitlines()[-1])
    return said


def this_version(database: Path) -> tuple[FlaskClient, SqliteProgressStore]:
    store = SqliteProgressStore(database)
    app = create_app({"COACH_VERIFY_REQUESTS": "0", "COACH_STORE_OBJECT": store})
    return app.test_client(), store


def test_a_rollback_keeps_the_runners_place_and_their_own_reps(
    older_skill: Path, tmp_path: Path, coach_env: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "coach.sqlite3"
    client, store = this_version(database)
    # The shoulder press gone up to 13 reps; the dumbbell workout started, one set in.
    own = {"shoulder_press": {"reps": 13, "best_reps": 13, "hardest": "plan"}}
    save_record(store, USER, {"exercises": own})
    for intent, slots in (
        ("StartWorkoutIntent", {"workout": "dumbbell"}),
        ("SkipWarmUpIntent", {}),
        ("NextSetIntent", {}),
        ("NextSetIntent", {}),
    ):
        speech = output_speech(alexa_answer(client, resolved_intent(intent, user_id=USER, **slots)))
    assert "Set 3 of 3" in speech  # this version wrote the record after this turn
    again = resolved_intent("AMAZON.RepeatIntent", user_id=USER)
    assert "13 reps" in output_speech(alexa_answer(client, again))
    store.close()

    # Rolled back: the older version carries on from the same set, then counts it.
    where, done = older_says(
        older_skill,
        database,
        resolved_intent("StatusIntent", user_id=USER),
        resolved_intent("NextSetIntent", user_id=USER),
    )
    assert FRESH_START not in where and "set 3 of 3" in where.lower()
    assert FRESH_START not in done and "bent-over row" in done

    # Rolled forward: the runner's own reps are still theirs.
    client, store = this_version(database)
    stored = store.read(record_key(USER))
    assert stored is not None
    assert decode(stored.text)["exercises"]["shoulder_press"]["reps"] == 13
    speech = output_speech(
        alexa_answer(
            client, resolved_intent("GoToExerciseIntent", user_id=USER, exercise="shoulder_press")
        )
    )
    store.close()
    assert "13 reps" in speech


# main when the lasting rest came (issue 20, preferences that last): it writes the preferences
# back with only the fields it knows, and keeps record fields it does not know as they are.
BEFORE_LASTING_REST = "790be0103b1b09d066e643a0ece06f4b51ddbfd9"


@pytest.fixture(scope="module")
def before_lasting_rest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("before-lasting-rest")
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", BEFORE_LASTING_REST, "skill"],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        pytest.skip(f"the older version is not in this checkout's git: {archive.stderr!r}")
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def test_a_rollback_keeps_the_rest_length_the_runner_keeps(
    before_lasting_rest: Path, tmp_path: Path, coach_env: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "coach.sqlite3"
    client, store = this_version(database)
    always = resolved_intent("SetRestIntent", user_id=USER, seconds="60", lasting="always")
    assert "Every workout you start will have rests of 60 seconds" in output_speech(
        alexa_answer(client, always)
    )
    for intent, slots in (
        ("StartWorkoutIntent", {"workout": "dumbbell"}),
        ("SkipWarmUpIntent", {}),
        ("NextSetIntent", {}),
    ):
        alexa_answer(client, resolved_intent(intent, user_id=USER, **slots))
    store.close()

    # Rolled back: the older version carries on, and saves the record more than once (a set
    # counted, music mode chosen: its preferences written back).
    where, _, music = older_says(
        before_lasting_rest,
        database,
        resolved_intent("StatusIntent", user_id=USER),
        resolved_intent("NextSetIntent", user_id=USER),
        resolved_intent("KeepMusicIntent", user_id=USER),
    )
    assert FRESH_START not in where and "set 2 of 3" in where.lower()
    assert "leave your music alone" in music

    # Rolled forward: the rest length is still kept, and the next workout starts with it.
    client, store = this_version(database)
    stored = store.read(record_key(USER))
    assert stored is not None
    assert decode(stored.text)["rest"]["kept"] == 60
    switch = resolved_intent("AMAZON.YesIntent", user_id=USER)
    switch["session"]["attributes"] = {"pending": "switch:bodyweight"}
    speech = output_speech(alexa_answer(client, switch))
    store.close()
    assert "bodyweight workout" in speech and "Rests of 60 seconds, as you like them" in speech
