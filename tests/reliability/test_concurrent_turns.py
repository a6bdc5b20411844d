"""Turns for one runner at the same moment (two Echo devices in one home, or a retry crossing
the original): every answer is true of what is stored, on both stores.

Each try starts a fresh runner on the bodyweight workout (push-ups, 4 sets) and then sends turns
from several threads released together by a barrier. Saves are conditional on the revision that
was read, and a turn whose save lost the race is worked out again on the fresh record: so three
"next set"s at once are answered "Set 2", "Set 3" and "Set 4" in some order, never one set twice,
and the stored position is three sets on. Without the revision check a few tries in every run
lost an advance (two runners told "Set 2", one set stored).
"""

from __future__ import annotations

import re
import threading
from typing import Any

from flask.testing import FlaskClient

from skill.persistence import RecordStore, decode
from tests.support import output_speech, resolved_intent

TRIES = 25
SETS_OF_PUSH_UPS = 4
SET_CLAIM = re.compile(r"Set (\d) of 4\b")


def say(client: FlaskClient, user_id: str, intent: str, **slots: str) -> str:
    response = client.post("/alexa", json=resolved_intent(intent, user_id=user_id, **slots))
    assert response.status_code == 200
    body: dict[str, Any] = response.get_json()
    return output_speech(body)


Turn = tuple[str, dict[str, str]]  # an intent and its slots


def at_once(client: FlaskClient, user_id: str, turns: list[Turn]) -> list[str]:
    """Say each (intent, slots) of `turns` on its own thread, released together: the answers,
    in order."""
    start = threading.Barrier(len(turns))
    answers: list[str] = [""] * len(turns)
    failures: list[BaseException] = []

    def run(index: int) -> None:
        intent, slots = turns[index]
        try:
            start.wait()
            answers[index] = say(client, user_id, intent, **slots)
        except BaseException as failure:  # reported below, with the thread's traceback
            failures.append(failure)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(turns))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return answers


def stored_progress(store: RecordStore, user_id: str) -> dict[str, Any]:
    stored = store.read(user_id)
    assert stored is not None
    progress: dict[str, Any] = decode(stored.text)["progress"]
    return progress


def test_next_sets_at_once_claim_different_sets_and_all_are_stored(
    coach_on: FlaskClient, either_store: RecordStore
) -> None:
    at_the_same_time = SETS_OF_PUSH_UPS - 1
    for attempt in range(TRIES):
        user = f"amzn1.ask.account.TWO-DEVICES-{attempt}"
        started = say(coach_on, user, "StartWorkoutIntent", workout="bodyweight")
        assert "bodyweight workout" in started
        say(coach_on, user, "SkipWarmUpIntent")
        answers = at_once(coach_on, user, [("NextSetIntent", {})] * at_the_same_time)
        claims = sorted(int(SET_CLAIM.findall(answer)[-1]) for answer in answers)
        # Each runner heard a different set, and each advance is in the store.
        assert claims == list(range(2, 2 + at_the_same_time)), answers
        progress = stored_progress(either_store, user)
        assert progress["exercise_index"] == 0
        assert progress["set_number"] == 1 + at_the_same_time
        assert progress["sets_by_exercise"][0] == at_the_same_time


def test_a_rest_change_and_a_next_set_at_once_are_both_kept(
    coach_on: FlaskClient, either_store: RecordStore
) -> None:
    for attempt in range(TRIES):
        user = f"amzn1.ask.account.REST-AND-NEXT-{attempt}"
        say(coach_on, user, "StartWorkoutIntent", workout="bodyweight")
        say(coach_on, user, "SkipWarmUpIntent")
        rest_change, next_set = at_once(
            coach_on, user, [("SetRestIntent", {"seconds": "45"}), ("NextSetIntent", {})]
        )
        assert "rests are now 45 seconds" in rest_change
        assert "Set 2 of 4" in next_set
        # The next set rested 30 s if it came first, 45 s if the rest change did: either way
        # what it said and what is stored agree, and neither change is lost.
        assert "Rest 30 seconds" in next_set or "Rest 45 seconds" in next_set
        progress = stored_progress(either_store, user)
        assert progress["rest_seconds"] == 45
        assert progress["sets_by_exercise"][0] == 1
