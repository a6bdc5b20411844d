"""The skill's conversations as data: every script in tests/skill/dialogs is played on a simulated
device against the real app (Flask, SQLite), and every response is checked against Alexa's
speech limits and its cap on a response's size.

Scripts play on harness.dialog_stage: the coach's clock is the script's (a minute a request) and
`do:` actions restart the server, corrupt or age the record, or let two days pass.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest

from harness.device import Device, Transport, TransportResponse
from harness.dialog import assert_dialog_passes, dialog_paths, run_dialog
from harness.dialog_stage import Stage
from harness.ssml_rules import speech_problems

DIALOGS = Path(__file__).parent / "dialogs"
MAX_RESPONSE_BYTES = 120 * 1024  # Alexa's cap on a whole response (APL documents included)


class CheckedTransport:
    """Alexa's limits checked on every response that comes back."""

    def __init__(self, inner: Transport, problems: list[str]) -> None:
        self.inner = inner
        self.problems = problems

    def post(self, body: bytes, headers: Mapping[str, str]) -> TransportResponse:
        answer = self.inner.post(body, headers)
        request_type = json.loads(body)["request"]["type"]
        response = json.loads(answer.body).get("response", {}) if answer.status == 200 else {}
        if len(answer.body) > MAX_RESPONSE_BYTES:
            self.problems.append(f"{request_type}: a response of {len(answer.body)} bytes")
        for key, is_reprompt in (("outputSpeech", False), ("reprompt", True)):
            speech = response.get(key, {})
            speech = speech.get("outputSpeech", {}) if is_reprompt else speech
            if "ssml" in speech:
                for problem in speech_problems(speech["ssml"], reprompt=is_reprompt):
                    self.problems.append(f"{request_type} {key}: {problem}")
        return answer


@pytest.mark.parametrize("path", dialog_paths(DIALOGS), ids=lambda p: p.stem)
def test_dialog(path: Path, tmp_path: Path, coach_env: pytest.MonkeyPatch) -> None:
    stage = Stage(tmp_path / "coach.sqlite3")
    problems: list[str] = []

    def checked() -> CheckedTransport:
        return CheckedTransport(stage.transport(), problems)

    def new_device(user_id: str) -> Device:
        return Device(checked(), user_id=user_id)

    result = run_dialog(path, new_device, stage.actions(checked))
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
        "two_days_pass",
        "store_version_1_record",
        "store_newer_record",
        "Back one set",
        "You moved on from",
    ]:
        assert phrase in said, phrase
