"""Every device button (next, previous, play, pause) pressed at every kind of place a hands-free
workout reaches is answered as Alexa allows a PlaybackController request to be answered: with
AudioPlayer directives alone, no speech, card or reprompt, and the session left alone. A press
the handlers answer in words would be an error on an Echo; the skill's last guard turns it into
nothing (logged), so the handlers' own answers are checked here: the guard never fires.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from harness.device import Device
from harness.dialog_stage import Stage
from skill.alexa.handlers import Handlers
from skill.alexa.turn import Outcome, Turn
from skill.speech.replies import Reply
from skill.speech.ssml import Speech

BUTTONS = ("next", "previous", "play", "pause")
TIMEOUT, ONE_SHOT = "/timeout", "alexa, tell upper body coach "

START = ["open upper body coach", "the dumbbell workout"]
SET_1 = [*START, "skip the warm-up", TIMEOUT, "/wait 40"]
TWO_SETS = ["alexa, next", "/wait 90", "alexa, next", "/wait 90"]  # sets 1 and 2 done
LAST_EXERCISE = [*START, "skip the warm-up", "go to curl to press", TIMEOUT, "/wait 40"]
OFFER = [*LAST_EXERCISE, *TWO_SETS, "alexa, next"]
WARM_UP_PLAYED = [*START, TIMEOUT, "/wait 10", "/press next", "/wait 20"]
# Where a runner can be when they press a button: each place is what they said to get there.
PLACES: dict[str, list[str]] = {
    "warm-up part said": [*START, TIMEOUT, "/wait 10"],
    "warm-up part played": WARM_UP_PLAYED,
    "warm-up held for pain": [*WARM_UP_PLAYED, ONE_SHOT + "ouch my shoulder", TIMEOUT],
    "a set": SET_1,
    "a rest": [*SET_1, "alexa, next", "/wait 10"],
    "a rest paused": [*SET_1, "alexa, next", "/wait 10", "alexa, pause"],
    "an extra set": [*SET_1, *TWO_SETS, "alexa, next", "/wait 10", ONE_SHOT + "one more set"],
    "a set held for pain": [*SET_1, ONE_SHOT + "my shoulder hurts", TIMEOUT],
    "told to stop for chest pain": [*SET_1, ONE_SHOT + "i have chest pain", TIMEOUT],
    "continue asked": [*SET_1, "/wait 600", "alexa, open upper body coach", TIMEOUT],
    "stopped": [*SET_1, ONE_SHOT + "stop"],
    "the cool-down offer": [*OFFER, TIMEOUT],
    "the cool-down offer, said again": [*OFFER, TIMEOUT, "alexa, next", TIMEOUT],
    "a cool-down part played": [*OFFER, TIMEOUT, "/press next", "/wait 20"],
    "a cool-down part said": [*OFFER, "yes", TIMEOUT, "/wait 20"],
    "the cool-down done": [*OFFER, "yes", "next", "/wait 30"],
    "finished by the button": [*LAST_EXERCISE, *TWO_SETS, "/press next", "/wait 20"],
}


def play(device: Device, steps: list[str]) -> None:
    for step in [*steps, TIMEOUT]:  # the microphone closed: the runner reaches for a button
        if step == TIMEOUT:
            if device.session_open:
                device.mic_timeout()
        elif step.startswith("/wait "):
            device.wait(float(step.split()[1]))
        elif step.startswith("/press "):
            device.press(step.split()[1])
        else:
            device.say(step)


@pytest.fixture
def stage(tmp_path: Path, coach_env: pytest.MonkeyPatch) -> Stage:
    return Stage(tmp_path / "coach.sqlite3")


@pytest.mark.parametrize("button", BUTTONS)
@pytest.mark.parametrize("place", PLACES, ids=lambda place: place.replace(" ", "_"))
def test_a_button_anywhere_gets_an_answer_alexa_accepts(
    stage: Stage, place: str, button: str, caplog: pytest.LogCaptureFixture
) -> None:
    device = stage.device("runner")
    device.enable_audio_player()
    play(device, PLACES[place])
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="skill"):
        pressed = device.press(button)  # AudioResponseError: speech, a card or a reprompt
    response = pressed.response.get("response", {}) if pressed.response else {}
    assert response.get("shouldEndSession") is not False, json.dumps(response)
    refused = [r.getMessage() for r in caplog.records if "answered with speech" in r.getMessage()]
    assert refused == []


def test_a_button_answered_in_words_moves_nothing_and_says_nothing(
    stage: Stage, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The last guard: a handler that answers a button in words (a mistake) is answered with
    nothing rather than with a response Alexa refuses, and nothing it moved is kept."""
    device = stage.device("runner")
    device.enable_audio_player()
    play(device, SET_1)

    def wordy(self: Handlers, turn: Turn, action: object) -> Outcome:
        moved = self.coach.finish_set(turn.progress, turn.now).progress
        return Outcome(Reply(Speech().say("Well done."), None, True), moved)

    monkeypatch.setattr(Handlers, "unless_unwell", wordy)  # every command, answered in words
    with caplog.at_level(logging.ERROR, logger="skill"):
        pressed = device.press("next")
    assert pressed.response is not None and "outputSpeech" not in pressed.response["response"]
    assert any("answered with speech" in r.getMessage() for r in caplog.records)
    monkeypatch.undo()
    assert "set 1 of 3" in device.say(ONE_SHOT + "where am i").speech_text
