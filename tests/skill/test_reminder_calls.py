"""What a reminder costs in calls to Alexa's APIs: each is a network round trip inside the
runner's turn, on the real Echo as on the stand-in (harness.alexa_apis)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from harness.alexa_apis import TOKEN, AlexaApiServer
from harness.dialog_stage import Stage
from skill.alexa.alexa_apis import (
    REMINDERS_SCOPE,
    SHORTEST_CALL_SECONDS,
    UNAVAILABLE,
    ApiAccess,
    ApiError,
    ApiOptions,
    create_reminder,
)
from skill.coaching.schedule import Plan
from skill.persistence.deadline import SAVE_RESERVE_S, time_to_spend, turn_deadline
from skill.persistence.dynamodb_store import ATTEMPT_S

ZONE_ASK = "/settings/System.timeZone"


def test_remind_me_at_a_time_asks_the_runners_time_zone_once(
    tmp_path: Path, coach_env: pytest.MonkeyPatch
) -> None:
    # With no day said, the zone picks the day; the reminder is then set in that same zone.
    with AlexaApiServer() as apis:
        device = Stage(tmp_path / "coach.sqlite3", apis=apis).device("amzn1.ask.account.CALLS")
        apis.state.time_zones[device.caller.device_id or ""] = "Pacific/Auckland"
        device.grant(REMINDERS_SCOPE)
        device.say("open upper body coach")
        heard = device.say("remind me to train at 7 am")

        assert "I'll remind you every" in heard.speech_text
        assert [call for call in apis.state.calls if call.endswith(ZONE_ASK)] == [
            f"GET /v2/devices/{device.caller.device_id}{ZONE_ASK}"
        ]
        assert apis.state.calls[-1] == "POST /v1/alerts/reminders"


def _record_forgets_the_reminders(database: Path) -> None:
    """The runner's record as a turn left it whose reminder Alexa set but whose save was lost
    (its answer from the API timed out, or the save failed after the call)."""
    with closing(sqlite3.connect(database)) as db, db:
        db.execute(
            "UPDATE progress SET record = json_remove(record, '$.attributes.reminders'),"
            " revision = revision + 1"
        )


def test_a_reminder_the_record_never_learned_of_is_changed_not_set_twice(
    tmp_path: Path, coach_env: pytest.MonkeyPatch
) -> None:
    with AlexaApiServer() as apis:
        database = tmp_path / "coach.sqlite3"
        device = Stage(database, apis=apis).device("amzn1.ask.account.LOST")
        device.grant(REMINDERS_SCOPE)
        device.say("open upper body coach")
        device.say("remind me every monday at 7 am")
        _record_forgets_the_reminders(database)

        heard = device.say("remind me every thursday at 6 pm")

        assert "I'll remind you every Thursday at 6 pm" in heard.speech_text
        assert [line.split(" (")[0] for line in apis.state.lines()] == ["Thursday 18:00"]
        assert apis.state.calls.count("POST /v1/alerts/reminders") == 1


def test_a_call_the_turn_has_no_time_left_for_is_not_made(
    tmp_path: Path, coach_env: pytest.MonkeyPatch
) -> None:
    # The turn keeps SAVE_RESERVE_S of its budget to save the record: with less than that and
    # the shortest call left, the API is not called and the answer is "unavailable".
    with AlexaApiServer() as apis:
        access = ApiAccess(apis.url, TOKEN, "device-1", "en-US")
        options = ApiOptions(ca_path=apis.ca_path)
        with turn_deadline(SAVE_RESERVE_S + SHORTEST_CALL_SECONDS / 2):
            with pytest.raises(ApiError) as failed:
                create_reminder(access, options, Plan(("MO",), 7), "Train", 1e9, None)
        assert failed.value.kind == UNAVAILABLE
        assert apis.state.calls == []
        with turn_deadline(SAVE_RESERVE_S + 1.0):
            assert create_reminder(access, options, Plan(("MO",), 7), "Train", 1e9, None)


def test_an_api_call_waits_no_longer_than_leaves_the_save_its_time() -> None:
    assert SAVE_RESERVE_S >= ATTEMPT_S  # a DynamoDB save attempt fits in what is kept
    assert time_to_spend(3.0) == 3.0  # outside a turn: the call's own timeout
    with turn_deadline(2.0):
        assert time_to_spend(3.0) == pytest.approx(2.0 - SAVE_RESERVE_S, abs=0.05)
    with turn_deadline(3.0):
        assert time_to_spend(1.0) == 1.0
