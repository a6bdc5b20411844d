"""Hands-free dialog scripts: `audio_player: true`, `wait:`, `press:` and the audio
expectations, against the stand-in audio skill (tests/harness/audio_skill.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.device import Device, FlaskTransport
from harness.dialog import (
    DialogResult,
    DialogScriptError,
    assert_dialog_passes,
    parse_dialog,
    run_dialog,
)
from harness.dialog_stage import DIALOG_START, TURN_SECONDS, Stage, TickingTransport
from harness.interaction_model import load_model
from tests.harness.audio_skill import AudioSkill

MODEL = load_model()

HANDS_FREE = """
name: hands-free on the stand-in
audio_player: true
turns:
  - say: open upper body coach
    hear: first set
    hear_audio: long.mp3
    events: [PlaybackStarted]
    player: PLAYING
    session: closed
  - wait: 12
    hear_audio: Track long
    not_hear_audio: short
  - say: alexa, pause
    intent: AMAZON.PauseIntent
    events: [AudioPlayer.PlaybackStopped]
    player: STOPPED
  - say: alexa, resume
    intent: AMAZON.ResumeIntent
    hear_audio: long
    player: PLAYING
  - press: next
    hear_audio: short.mp3
    events: [PlaybackStopped, PlaybackStarted]
  - wait: 5
    events: [PlaybackNearlyFinished, PlaybackFinished]
    player: FINISHED
    not_hear_audio: long
  - say: alexa, next
    hear: Next.
    hear_audio: short.mp3
"""


def play(script: str, skill: AudioSkill | None = None) -> DialogResult:
    app = (skill or AudioSkill()).app()
    return run_dialog(
        parse_dialog(yaml.safe_load(script)), lambda user: Device(FlaskTransport(app), MODEL)
    )


def test_a_hands_free_script_plays_pauses_resumes_and_skips() -> None:
    assert_dialog_passes(play(HANDS_FREE))


def test_a_track_that_did_not_play_fails_the_turn_naming_what_did() -> None:
    script = HANDS_FREE.replace("hear_audio: short.mp3\n    events", "hear_audio: rest\n    events")
    result = play(script)
    failure = result.failure
    assert failure is not None and failure.step.kind == "press"
    report = result.report()
    assert "expected to hear audio 'rest'; heard Track short.mp3" in report
    assert "AudioPlayer.PlaybackStarted token 't2'" in report


def test_events_out_of_order_fail() -> None:
    script = HANDS_FREE.replace(
        "[PlaybackNearlyFinished, PlaybackFinished]", "[PlaybackFinished, PlaybackNearlyFinished]"
    )
    failure = play(script).failure
    assert failure is not None
    assert failure.problems == (
        "expected events PlaybackFinished, PlaybackNearlyFinished in that order; sent "
        "PlaybackNearlyFinished, PlaybackFinished",
    )


def test_speech_in_answer_to_an_event_fails_the_turn_that_caused_it() -> None:
    failure = play(HANDS_FREE, AudioSkill(speak_on_started=True)).failure
    assert failure is not None and failure.step.number == 1
    assert (
        "outputSpeech" in failure.problems[0]
        and "AudioPlayer.PlaybackStarted" in (failure.problems[0])
    )


def test_without_audio_player_alexa_next_is_not_sent_and_audio_cannot_be_expected() -> None:
    script = """
name: no player
turns:
  - say: alexa, next
    sent: false
  - wait: 3
    player: IDLE
"""
    failure = play(script).failure
    assert failure is not None and failure.step.number == 2
    assert failure.problems == (
        "expected audio, but the device has no AudioPlayer (audio_player: true)",
    )


@pytest.mark.parametrize(
    ("turn", "problem"),
    [
        ({"wait": -1}, "key 'wait': must be a number of seconds, 0 or more"),
        ({"wait": "soon"}, "key 'wait': must be a number of seconds"),
        ({"press": "jump"}, "key 'press': must be one of next, previous, play, pause"),
        ({"wait": 3, "player": "SINGING"}, "key 'player': must be one of IDLE"),
        ({"wait": 3, "hear": "x"}, "key 'hear': is not allowed in a wait turn"),
        ({"press": "next", "wait": 3}, "needs exactly one of say, intent, mic_timeout, do, wait"),
    ],
)
def test_malformed_audio_turns_name_the_key(turn: dict[str, Any], problem: str) -> None:
    with pytest.raises(DialogScriptError, match=problem):
        parse_dialog({"name": "bad", "audio_player": True, "turns": [turn]})


def test_audio_player_must_be_true_or_false() -> None:
    with pytest.raises(DialogScriptError, match="key 'audio_player': must be true or false"):
        parse_dialog({"name": "bad", "audio_player": "yes", "turns": [{"wait": 1}]})


def test_on_the_stage_waits_move_the_coachs_clock_and_audio_events_do_not(
    tmp_path: Path,
) -> None:
    stage = Stage(tmp_path / "coach.sqlite3")
    skill = AudioSkill()
    transport = TickingTransport(FlaskTransport(skill.app()), stage.clock)
    device = stage.device("runner", transport)
    device.enable_audio_player()
    device.say("open upper body coach")  # a request in a session: a minute, as before
    assert stage.clock.now == DIALOG_START + TURN_SECONDS
    device.wait(45)  # PlaybackStarted, NearlyFinished, Finished: no minutes of their own
    assert skill.types().count("AudioPlayer.PlaybackFinished") == 1
    assert stage.clock.now == DIALOG_START + TURN_SECONDS + 45
