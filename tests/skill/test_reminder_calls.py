"""What a reminder costs in calls to Alexa's APIs: each is a network round trip inside the
runner's turn, on the real Echo as on the stand-in (harness.alexa_apis)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from harness.alexa_apis import TOKEN, AlexaApiServer
from harness.device import Device
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
from skill.persistence.deadline import SAVE_RESERVE_S, time_left, time_to_spend, turn_deadline
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


def _reminder_the_record_lost(apis: AlexaApiServer, database: Path, user: str) -> Device:
    """A runner's device after "remind me every monday at 7 am" was set at Alexa and the
    record lost it (see _record_forgets_the_reminders)."""
    device = Stage(database, apis=apis).device(user)
    device.grant(REMINDERS_SCOPE)
    device.say("open upper body coach")
    device.say("remind me every monday at 7 am")
    _record_forgets_the_reminders(database)
    return device


def calling(apis: AlexaApiServer, device_id: str = "device-1") -> tuple[ApiAccess, ApiOptions]:
    """What the skill calls the stand-in with, trusting its certificate."""
    return ApiAccess(apis.url, TOKEN, device_id, "en-US"), ApiOptions(ca_path=apis.ca_path)


def test_a_reminder_the_record_never_learned_of_is_changed_not_set_twice(
    tmp_path: Path, coach_env: pytest.MonkeyPatch
) -> None:
    with AlexaApiServer() as apis:
        database = tmp_path / "coach.sqlite3"
        device = _reminder_the_record_lost(apis, database, "amzn1.ask.account.LOST")

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
        access, options = calling(apis)
        with turn_deadline(SAVE_RESERVE_S + SHORTEST_CALL_SECONDS / 2):
            with pytest.raises(ApiError) as failed:
                create_reminder(access, options, Plan(("MO",), 7), "Train", 1e9, None)
        assert failed.value.kind == UNAVAILABLE
        assert apis.state.calls == []
        with turn_deadline(SAVE_RESERVE_S + 1.0):
            assert create_reminder(access, options, Plan(("MO",), 7), "Train", 1e9, None)


def test_an_api_call_waits_no_longer_than_leaves_the_save_its_time() -> None:
    # A DynamoDB save attempt fits in what is kept, with room for the turn's own work: the
    # store starts an attempt only with ATTEMPT_S left.
    assert SAVE_RESERVE_S >= ATTEMPT_S + 0.25
    assert time_to_spend(3.0) == 3.0  # outside a turn: the call's own timeout
    with turn_deadline(SAVE_RESERVE_S + 0.5):
        assert time_to_spend(3.0) == pytest.approx(0.5, abs=0.05)
    with turn_deadline(SAVE_RESERVE_S + 2.0):
        assert time_to_spend(1.0) == 1.0


def test_an_api_that_answers_too_late_leaves_a_dynamodb_save_its_attempt() -> None:
    # The stand-in answers just under the turn's whole store budget: the call gives up in time
    # for the save, and what is left is still enough for the DynamoDB store to start one
    # attempt (it refuses with less than ATTEMPT_S left, and the runner would hear the apology).
    with AlexaApiServer() as apis:
        apis.state.delay = 2.95
        access, options = calling(apis)
        with turn_deadline():
            with pytest.raises(ApiError) as failed:
                create_reminder(access, options, Plan(("MO",), 7), "Train", 1e9, None)
            left = time_left(0.0)
        assert failed.value.kind == UNAVAILABLE
        assert left >= ATTEMPT_S


def test_a_reminder_the_record_lost_is_still_told_of_and_cancelled(
    tmp_path: Path, coach_env: pytest.MonkeyPatch
) -> None:
    # Alexa set it, the record never learned of it: "when's my next workout" says so rather
    # than denying it, and "cancel my reminders" finds and deletes it.
    with AlexaApiServer() as apis:
        database = tmp_path / "coach.sqlite3"
        device = _reminder_the_record_lost(apis, database, "amzn1.ask.account.LOST")

        asked = device.say("when's my next workout")
        assert "I've lost track of its days and time" in asked.speech_text
        cancelled = device.say("cancel my reminders")

        assert "I've cancelled your workout reminders" in cancelled.speech_text
        assert apis.state.lines() == []


def test_reminders_set_twice_before_become_one(
    tmp_path: Path, coach_env: pytest.MonkeyPatch
) -> None:
    # Two reminders of the skill's that the record never learned of (earlier lost answers):
    # setting a new time keeps one, at that time, and deletes the other.
    with AlexaApiServer() as apis:
        database = tmp_path / "coach.sqlite3"
        device = _reminder_the_record_lost(apis, database, "amzn1.ask.account.TWICE")
        device.say("remind me every monday at 7 am")  # the listing finds the first: still one
        access, options = calling(apis, device.caller.device_id)
        create_reminder(access, options, Plan(("MO",), 7), "Train", 1e9, None)
        _record_forgets_the_reminders(database)

        device.say("remind me every thursday at 6 pm")

        assert [line.split(" (")[0] for line in apis.state.lines()] == ["Thursday 18:00"]
