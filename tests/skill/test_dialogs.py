"""The skill's conversations as data: every script in tests/skill/dialogs is played on a simulated
device against the real app (Flask, SQLite), and every response is checked against Alexa's
speech limits."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from pathlib import Path

import pytest
from flask import Flask

from harness.device import Device, FlaskTransport, TransportResponse
from harness.dialog import assert_dialog_passes, dialog_paths, run_dialog
from harness.ssml_rules import speech_problems
from skill.app import create_app

DIALOGS = Path(__file__).parent / "dialogs"


class CheckedTransport:
    """The app in process, with Alexa's limits checked on every response that comes back."""

    def __init__(self, app: Flask, problems: list[str]) -> None:
        self.inner = FlaskTransport(app)
        self.problems = problems

    def post(self, body: bytes, headers: Mapping[str, str]) -> TransportResponse:
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

    def new_device(user_id: str) -> Device:
        device = Device(CheckedTransport(create_app(config), problems), user_id=user_id)
        devices.append(device)
        return device

    def restart_server(device: Device) -> None:
        """A new app process on the same database: nothing in memory survives."""
        device.transport = CheckedTransport(create_app(config), problems)

    def corrupt_record(device: Device) -> None:
        with sqlite3.connect(database) as db:
            db.execute('UPDATE progress SET record = \'{"version": 1, "attr\' ')

    result = run_dialog(
        path,
        new_device,
        {"restart_server": restart_server, "corrupt_record": corrupt_record},
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
        "AMAZON.YesIntent",
        "StartWorkoutIntent",
        "SwitchWorkoutIntent",
        "ReadyIntent",
        "WhatsNextIntent",
        "SetsLeftIntent",
        "RepsIntent",
        "RemainingIntent",
        "RestLengthIntent",
        "MusclesIntent",
        "EquipmentIntent",
        "LongerRestIntent",
        "ShorterRestIntent",
        "EasierIntent",
        "HarderIntent",
        "mic_timeout",
        "restart_server",
        "corrupt_record",
        "tell upper body coach next set",
    ]:
        assert phrase in said, phrase
