"""The skill's conversations as data: every script in tests/skill/dialogs is played on a simulated
device against the real app (Flask, SQLite), and every response is checked against Alexa's
speech limits.

The coach's clock is the test's: each request comes a minute after the one before, so a
summary's minutes can be heard and checked; `do: two_days_pass` moves it on two days, and
`do: store_version_1_record` puts V1_RECORD in the runner's row, as the previous release left it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from pathlib import Path

import pytest
from ask_sdk_model.context import Context
from ask_sdk_model.interfaces.system.system_state import SystemState
from ask_sdk_model.request_envelope import RequestEnvelope
from ask_sdk_model.user import User
from flask import Flask

from harness.device import Device, FlaskTransport, TransportResponse
from harness.dialog import assert_dialog_passes, dialog_paths, run_dialog
from harness.ssml_rules import speech_problems
from skill.alexa import skill_builder
from skill.alexa.turn import CoachService
from skill.app import create_app
from skill.content.models import Library
from skill.persistence import SqliteProgressStore

DIALOGS = Path(__file__).parent / "dialogs"
TURN_SECONDS = 60.0
TWO_DAYS = 2 * 24 * 3600.0
# A runner's record as version 1 of the skill saved it: mid-way through the bodyweight workout,
# on the suspension row's second set, after 4 + 4 + 1 sets, begun 10 minutes before the dialog.
V1_RECORD = json.dumps(
    {
        "version": 1,
        "attributes": {
            "progress": {
                "workout_id": "bodyweight",
                "exercise_index": 2,
                "set_number": 2,
                "paused": False,
                "finished": False,
                "rest_seconds": None,
                "started_at": 1_769_507_400.0,  # 10 minutes before the dialog clock starts
                "sets_done": 9,
                "skipped": [],
            }
        },
    }
)


class DialogClock:
    """The coach's clock in a dialog: moved on by each request and by actions."""

    def __init__(self) -> None:
        self.now = 1_769_508_000.0

    def __call__(self) -> float:
        return self.now


class CheckedTransport:
    """The app in process, with Alexa's limits checked on every response that comes back."""

    def __init__(self, app: Flask, problems: list[str], clock: DialogClock) -> None:
        self.inner = FlaskTransport(app)
        self.problems = problems
        self.clock = clock

    def post(self, body: bytes, headers: Mapping[str, str]) -> TransportResponse:
        self.clock.now += TURN_SECONDS
        answer = self.inner.post(body, headers)
        request_type = json.loads(body)["request"]["type"]
        response = json.loads(answer.body).get("response", {}) if answer.status == 200 else {}
        for key, is_reprompt in (("outputSpeech", False), ("reprompt", True)):
            speech = response.get(key, {})
            speech = speech.get("outputSpeech", {}) if is_reprompt else speech
            if "ssml" in speech:
                for problem in speech_problems(speech["ssml"], reprompt=is_reprompt):
                    self.problems.append(f"{request_type} {key}: {problem}")
        return answer


@pytest.mark.parametrize("path", dialog_paths(DIALOGS), ids=lambda p: p.stem)
def test_dialog(path: Path, tmp_path: Path, coach_env: pytest.MonkeyPatch) -> None:
    database = tmp_path / "coach.sqlite3"
    config = {"COACH_VERIFY_REQUESTS": "0", "COACH_DB_PATH": str(database)}
    problems: list[str] = []
    devices: list[Device] = []
    clock = DialogClock()
    real_build_service = skill_builder.build_service

    def service_on_the_test_clock(library: Library | None = None) -> CoachService:
        return real_build_service(library, clock=clock)

    coach_env.setattr(skill_builder, "build_service", service_on_the_test_clock)

    def new_device(user_id: str) -> Device:
        device = Device(CheckedTransport(create_app(config), problems, clock), user_id=user_id)
        devices.append(device)
        return device

    def restart_server(device: Device) -> None:
        """A new app process on the same database: nothing in memory survives."""
        device.transport = CheckedTransport(create_app(config), problems, clock)

    def corrupt_record(device: Device) -> None:
        with sqlite3.connect(database) as db:
            db.execute('UPDATE progress SET record = \'{"version": 1, "attr\' ')

    def two_days_pass(device: Device) -> None:
        clock.now += TWO_DAYS

    def store_version_1_record(device: Device) -> None:
        """The runner's row as the version 1 skill left it (the table made by the store)."""
        user = RequestEnvelope(
            context=Context(system=SystemState(user=User(user_id=device.caller.user_id)))
        )
        store = SqliteProgressStore(database)
        store.save_attributes(user, {})
        store.close()
        with sqlite3.connect(database) as db:
            db.execute("UPDATE progress SET record = ?", (V1_RECORD,))

    result = run_dialog(
        path,
        new_device,
        {
            "restart_server": restart_server,
            "corrupt_record": corrupt_record,
            "two_days_pass": two_days_pass,
            "store_version_1_record": store_version_1_record,
        },
    )
    assert_dialog_passes(result)
    assert problems == []


def test_the_dialogs_cover_both_workouts_and_every_command() -> None:
    """Guard against the scripts silently losing coverage."""
    said = " ".join(p.read_text(encoding="utf-8") for p in dialog_paths(DIALOGS))
    for phrase in [
        "You've finished the bodyweight workout",
        "You've finished the dumbbell workout",
        "AMAZON.RepeatIntent",
        "SkipExerciseIntent",
        "AMAZON.PreviousIntent",
        "AMAZON.PauseIntent",
        "AMAZON.ResumeIntent",
        "HowToIntent",
        "StatusIntent",
        "SetRestIntent",
        "GoToExerciseIntent",
        "AMAZON.StartOverIntent",
        "AMAZON.HelpIntent",
        "AMAZON.StopIntent",
        "AMAZON.CancelIntent",
        "AMAZON.FallbackIntent",
        "SkipWarmUpIntent",
        "Warm-up, part 2 of 2",
        "Cool-down, part 2 of 2",
        "Switch hands",
        "Change direction",
        "mic_timeout",
        "restart_server",
        "corrupt_record",
        "tell upper body coach next set",
        "two_days_pass",
        "store_version_1_record",
        "Back one set",
        "You moved on from",
    ]:
        assert phrase in said, phrase
